import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createApiClient } from './api.ts'
import { App } from './app.tsx'

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App api={createApiClient()} />
    </StrictMode>,
  )
}
