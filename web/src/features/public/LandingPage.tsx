import { Typography } from 'antd';
import { PageHeader } from '@/components/PageHeader';

export function LandingPage() {
  return (
    <>
      <PageHeader title="跨城通办" />
      <Typography.Paragraph>在您所在城市的政务服务窗口或网上，就能办理深圳、东莞、珠海其他城市的政务服务事项。</Typography.Paragraph>
    </>
  );
}
