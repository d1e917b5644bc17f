/**
 * An A4 document for the browser's print dialog (收件回执, 一次性告知书, 不予收件通知): the page chrome hides in
 * print (see the print stylesheet in app/styles.css), only the document prints.
 */
import { Button, Space } from 'antd';
import type { ReactNode } from 'react';

export function PrintLayout({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="kc-print-page">
      <Space className="kc-no-print" style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => window.print()}>打印</Button>
        {actions}
      </Space>
      <article className="kc-print-sheet" aria-label={title}>
        <h1 className="kc-print-title">{title}</h1>
        {children}
      </article>
    </div>
  );
}
