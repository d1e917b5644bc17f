/** A deadline as a tag: red when passed, orange when due today or tomorrow (China Standard Time days). */
import { Tag } from 'antd';
import { countdown, formatDate } from '@/lib/dates';

export function CountdownTag({ deadline, now }: { deadline: string | null | undefined; now?: Date }) {
  if (!deadline) return null;
  const c = countdown(deadline, now);
  const color = c.overdue ? 'error' : c.dueSoon ? 'warning' : 'default';
  return (
    <Tag color={color} title={`期限 ${formatDate(deadline)}`}>
      {c.overdue ? '逾期' : c.dueSoon ? '临期' : '期限'} · {c.text}
    </Tag>
  );
}
