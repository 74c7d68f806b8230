import { useId } from 'react'
import type { OverviewJson } from '../../../src/server/presenters.ts'

type Day = OverviewJson['decisionsByDay'][number]

const width = 600
const height = 200
const left = 28
const bottom = 22
const top = 8

function shortDay(day: string): string {
  const [, month, date] = day.split('-')
  return `${month ?? ''}/${date ?? ''}`
}

/** Decisions per day as stacked bars (passed below, failed striped above), with the numbers as a table too. */
export function DecisionsChart({ days }: { days: Day[] }) {
  // React's ids may hold characters that `url(#…)` does not take.
  const id = `chart${useId().replace(/[^A-Za-z0-9_-]/g, '')}`
  const passed = days.reduce((sum, d) => sum + d.passed, 0)
  const failed = days.reduce((sum, d) => sum + d.failed, 0)
  const max = Math.max(1, ...days.map((d) => d.passed + d.failed))
  const plotHeight = height - bottom - top
  const step = days.length > 0 ? (width - left) / days.length : 0
  const barWidth = Math.max(1, step * 0.7)
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight
  const first = days[0]
  const last = days[days.length - 1]
  const period = first && last ? `from ${first.day} to ${last.day}` : 'in the last 30 days'
  const ticks = max <= 4 ? Array.from({ length: max + 1 }, (_, i) => i) : [0, Math.round(max / 2), max]

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>Decisions per day</title>
        <desc id={`${id}-desc`}>{`${passed} passed and ${failed} failed ${period}.`}</desc>
        <defs>
          <pattern
            id={`${id}-stripes`}
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <rect width="6" height="6" className="chart-failed" />
            <line x1="0" y1="0" x2="0" y2="6" className="chart-stripe" strokeWidth="3" />
          </pattern>
        </defs>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={left} x2={width} y1={y(t)} y2={y(t)} className="chart-grid" />
            <text x={left - 6} y={y(t) + 4} textAnchor="end" className="chart-label">
              {t}
            </text>
          </g>
        ))}
        {days.map((d, i) => {
          const x = left + i * step + (step - barWidth) / 2
          return (
            <g key={d.day}>
              {d.passed > 0 && (
                <rect x={x} width={barWidth} y={y(d.passed)} height={y(0) - y(d.passed)} className="chart-passed" />
              )}
              {d.failed > 0 && (
                <rect
                  x={x}
                  width={barWidth}
                  y={y(d.passed + d.failed)}
                  height={y(d.passed) - y(d.passed + d.failed)}
                  fill={`url(#${id}-stripes)`}
                />
              )}
            </g>
          )
        })}
        {first && (
          <text x={left} y={height - 6} className="chart-label">
            {shortDay(first.day)}
          </text>
        )}
        {last && days.length > 1 && (
          <text x={width} y={height - 6} textAnchor="end" className="chart-label">
            {shortDay(last.day)}
          </text>
        )}
      </svg>
      <figcaption className="legend">
        <span>
          <span className="swatch chart-passed-swatch" aria-hidden="true" /> Passed ({passed})
        </span>
        <span>
          <span className="swatch chart-failed-swatch" aria-hidden="true" /> Failed ({failed})
        </span>
      </figcaption>
      <details>
        <summary>Decisions per day as a table</summary>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Passed</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td>{d.passed}</td>
                  <td>{d.failed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  )
}
