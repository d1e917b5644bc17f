/** The case's immutable timeline (oldest first), in Shanghai time. */
import { formatDateTime } from '@/lib/dates';
import { statusLabel } from '@/lib/labels';
import { EventList } from './EventList';

export interface TimelineEntry {
  at: string;
  label?: string;
  status?: string;
  to_status?: string;
  note?: string;
  action?: string;
}

export function CaseTimeline({ events }: { events: TimelineEntry[] }) {
  if (!events.length) return <span className="kc-secondary">暂无记录</span>;
  return (
    <EventList
      items={events.map((e, i) => ({
        key: `${e.at}-${i}`,
        content: (
          <>
            <strong>{e.label || statusLabel(e.to_status ?? e.status ?? '')}</strong>
            <div className="kc-secondary">{formatDateTime(e.at)}</div>
            {e.note ? <div>{e.note}</div> : null}
          </>
        ),
      }))}
    />
  );
}
