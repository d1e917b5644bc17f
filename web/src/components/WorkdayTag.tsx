/** Working days left to a deadline, as the API counts them (mainland calendar with 调休): red when late,
 * orange on the last working day or the one before. */
import { Tag } from 'antd';
import { formatDate } from '@/lib/dates';

export function WorkdayTag({ left, deadline, label }: { left: number | null | undefined; deadline?: string | null; label?: string }) {
  if (left === null || left === undefined) return null;
  const overdue = left < 0;
  const soon = !overdue && left <= 1;
  const text = overdue ? `逾期 ${-left} 个工作日` : left === 0 ? '今日到期' : `剩余 ${left} 个工作日`;
  return (
    <Tag color={overdue ? 'error' : soon ? 'warning' : 'default'} title={deadline ? `期限 ${formatDate(deadline)}` : undefined}>
      {label ? `${label} · ` : ''}{text}
    </Tag>
  );
}
