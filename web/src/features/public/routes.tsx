import type { RouteObject } from 'react-router';
import { ComingSoon } from '@/features/ComingSoon';

export const publicRoutes: RouteObject[] = [
  { index: true, lazy: async () => ({ Component: (await import('./LandingPage')).LandingPage }) },
  { path: 'track', lazy: async () => ({ Component: (await import('./TrackPage')).TrackPage }) },
  { path: 'about', element: <ComingSoon title="关于" /> },
];
