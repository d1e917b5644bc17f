import { ComingSoon } from '@/features/ComingSoon';

export function TrackPage() {
  return <ComingSoon title="办件查询" />;
}
