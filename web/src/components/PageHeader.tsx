/** A page's title (its one h1) with optional breadcrumbs and actions. */
import { Breadcrumb, Flex, Typography } from 'antd';
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
        <Breadcrumb
          items={crumbs.map((c) => ({ key: c.title, title: c.path ? <Link to={c.path}>{c.title}</Link> : c.title }))}
        />
      ) : null}
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} className="kc-page-title">{title}</Typography.Title>
        {extra}
      </Flex>
      {children}
    </header>
  );
}
