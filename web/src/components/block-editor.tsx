import type { CompletionSource } from '@codemirror/autocomplete'
import { useMemo } from 'react'
import type { BlockName } from '../../../src/domain/policy.ts'
import { CodeEditor, type CodeProblem } from './code-editor.tsx'

interface BlockEditorProps {
  name: BlockName
  about: string
  value: string
  onChange: (code: string) => void
  problems: { line: number | null; message: string }[]
  completions: CompletionSource
}

/** One block of a policy: its label, its editor, and its problems in words under it. */
export function BlockEditor({ name, about, value, onChange, problems, completions }: BlockEditorProps) {
  const key = JSON.stringify(problems)
  // A new list only when the problems change, so the editor's diagnostics are not reset on each render.
  const codeProblems = useMemo((): CodeProblem[] => problems, [key])
  const problemsId = `block-${name}-problems`
  return (
    <div role="group" aria-label={`${name} block`} className="block-editor">
      <h3 className="block-name" id={`block-${name}-label`}>
        {name}
      </h3>
      <p className="hint">{about}</p>
      <CodeEditor
        name={name}
        value={value}
        onChange={onChange}
        problems={codeProblems}
        completions={completions}
        describedBy={problemsId}
      />
      <ul id={problemsId} className="problems">
        {codeProblems.map((p, i) => (
          <li key={i} className="error-text">
            {name}
            {p.line === null ? '' : `, line ${p.line}`}: {p.message}
          </li>
        ))}
      </ul>
    </div>
  )
}
