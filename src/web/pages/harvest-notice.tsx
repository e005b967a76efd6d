import type { HarvestReport } from '../../ingest/harvest-report.js';
import { humanDay } from '../../model/dates.js';

/**
 * On the front page of an empty store: which sources the last harvest could not fetch from, and why (the host it
 * could not reach, an HTTP error…), so that an operator whose site stays empty sees the cause without the log.
 */
export function HarvestNotice(props: { report: HarvestReport | undefined }) {
  const report = props.report;
  if (!report?.failures.length) return null;
  const at = `${report.at.slice(11, 16)} UTC on ${humanDay(report.at.slice(0, 10))}`;
  const unreachable = report.failures.every((f) => f.offline);
  return (
    <div class="error" role="status">
      <p>
        The last harvest, at {at}, {unreachable ? 'could not reach its sources' : 'could not fetch papers from'}:
      </p>
      <ul>
        {report.failures.map((f) => (
          <li>
            <strong>{f.source}</strong>: {f.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
