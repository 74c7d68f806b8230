import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete'
import type { CompletionSource } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { javascript, javascriptLanguage } from '@codemirror/lang-javascript'
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from '@codemirror/language'
import { lintGutter, lintKeymap, setDiagnostics, type Diagnostic } from '@codemirror/lint'
import { EditorState, type Text } from '@codemirror/state'
import { drawSelection, EditorView, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view'
import { useEffect, useRef } from 'react'

export interface CodeProblem {
  /** 1-based line in this editor's text; null: somewhere in it. */
  line: number | null
  message: string
}

function toDiagnostic(doc: Text, problem: CodeProblem): Diagnostic {
  const number = Math.min(Math.max(problem.line ?? 1, 1), doc.lines)
  const line = doc.line(number)
  return { from: line.from, to: line.to, severity: 'error', message: problem.message, source: 'check' }
}

interface CodeEditorProps {
  /** The block's name, for the labels: "check code". */
  name: string
  value: string
  onChange: (value: string) => void
  problems: CodeProblem[]
  completions: CompletionSource
  /** The id of the element that lists this editor's problems in words. */
  describedBy: string
}

/**
 * A CodeMirror 6 editor for one block of policy code: JavaScript highlighting, completion of the
 * policy API, problems as lint diagnostics on their lines. Tab is left to move between fields
 * (no indent-with-Tab), so the editor never traps the keyboard.
 */
export function CodeEditor({ name, value, onChange, problems, completions, describedBy }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const latestOnChange = useRef(onChange)
  useEffect(() => {
    latestOnChange.current = onChange
  })

  useEffect(() => {
    if (!host.current) {
      return
    }
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          drawSelection(),
          history(),
          indentOnInput(),
          indentUnit.of('  '),
          bracketMatching(),
          closeBrackets(),
          javascript(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          autocompletion(),
          javascriptLanguage.data.of({ autocomplete: completions }),
          lintGutter(),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': `${name} code`, 'aria-describedby': describedBy }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) {
              latestOnChange.current(update.state.doc.toString())
            }
          }),
        ],
      }),
    })
    view.current = editor
    return () => {
      editor.destroy()
      view.current = null
    }
    // The editor is made once; later values arrive through the effect below.
  }, [name, completions, describedBy])

  useEffect(() => {
    const editor = view.current
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } })
    }
  }, [value])

  useEffect(() => {
    const editor = view.current
    if (editor) {
      const { doc } = editor.state
      editor.dispatch(
        setDiagnostics(
          editor.state,
          problems.map((p) => toDiagnostic(doc, p)),
        ),
      )
    }
  }, [problems])

  return <div ref={host} className="code-editor" />
}
