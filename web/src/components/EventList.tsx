/**
 * A vertical list of dated events with a dot and a line between them (a case's timeline, a parcel's tracking):
 * an ordered list and CSS, in place of antd's Timeline, which brings antd's Steps and their styles along.
 */
import type { ReactNode } from 'react';

export function EventList({ items, label }: { items: { key: string | number; content: ReactNode }[]; label?: string }) {
  return (
    <ol className="kc-events" aria-label={label}>
      {items.map((item) => (
        <li key={item.key} className="kc-event">
          <span className="kc-event-dot" aria-hidden="true" />
          <div className="kc-event-content">{item.content}</div>
        </li>
      ))}
    </ol>
  );
}
