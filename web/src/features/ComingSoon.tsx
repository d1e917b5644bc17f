import { Notice } from '@/components/Notice';
import { PageHeader } from '@/components/PageHeader';

/** A page of this release not built yet: says so rather than showing nothing. */
export function ComingSoon({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} />
      <Notice tone="info" title="此功能即将上线" />
    </>
  );
}
