/** The case's immutable timeline (oldest first), in Shanghai time. */
import { Timeline, Typography } from 'antd';
import { formatDateTime } from '@/lib/dates';
import { statusLabel } from '@/lib/labels';

export interface TimelineEntry {
  at: string;
  label?: string;
  status?: string;
  to_status?: string;
  note?: string;
  action?: string;
}

export function CaseTimeline({ events }: { events: TimelineEntry[] }) {
  if (!events.length) return <Typography.Text type="secondary">暂无记录</Typography.Text>;
  return (
    <Timeline
      items={events.map((e, i) => ({
        key: `${e.at}-${i}`,
        content: (
          <div>
            <Typography.Text strong>{e.label || statusLabel(e.to_status ?? e.status ?? '')}</Typography.Text>
            <div><Typography.Text type="secondary">{formatDateTime(e.at)}</Typography.Text></div>
            {e.note ? <div>{e.note}</div> : null}
          </div>
        ),
      }))}
    />
  );
}
