import { Result } from 'antd';
import { PageHeader } from '@/components/PageHeader';

/** A page of this release not built yet: says so rather than showing nothing. */
export function ComingSoon({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} />
      <Result status="info" title="此功能即将上线" />
    </>
  );
}
