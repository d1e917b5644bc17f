/** A page's title (its one h1) with optional breadcrumbs and actions. */
import { Flex } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

export function PageHeader({ title, crumbs, extra, children }: {
  title: ReactNode;
  crumbs?: { path?: string; title: string }[];
  extra?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <header className="kc-page-header">
      {crumbs?.length ? (
        // A plain list of links: antd's Breadcrumb brings a dropdown menu along that no page here uses.
        <nav aria-label="当前位置" className="kc-crumbs">
          <ol>
            {crumbs.map((c, i) => (
              <li key={c.title} aria-current={i === crumbs.length - 1 ? 'page' : undefined}>
                {c.path && i < crumbs.length - 1 ? <Link to={c.path}>{c.title}</Link> : c.title}
              </li>
            ))}
          </ol>
        </nav>
      ) : null}
      <Flex justify="space-between" align="center" wrap gap={8}>
        <h1 className="kc-page-title">{title}</h1>
        {extra}
      </Flex>
      {children}
    </header>
  );
}
