/**
 * A titled block of a page. Lighter than antd's Card (which brings tabs, a dropdown and a menu along), so the
 * public and citizen pages stay small on a phone.
 */
import type { ReactNode } from 'react';

export function Panel({ title, extra, className, children }: {
  title?: ReactNode;
  extra?: ReactNode;
  className?: string;
  /** Accepted for symmetry with antd's Card; panels are always compact. */
  size?: 'small' | 'default';
  children?: ReactNode;
}) {
  return (
    <section className={`kc-panel${className ? ` ${className}` : ''}`}>
      {title || extra ? (
        <div className="kc-panel-head">
          <div className="kc-panel-title">{title}</div>
          {extra ? <div className="kc-panel-extra">{extra}</div> : null}
        </div>
      ) : null}
      <div className="kc-panel-body">{children}</div>
    </section>
  );
}
