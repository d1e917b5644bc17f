/** Supervisor pages (desktop), loaded on demand; the dashboard's chunk alone carries ECharts. */
import type { RouteObject } from 'react-router';

export const supervisorRoutes: RouteObject[] = [
  { index: true, lazy: async () => ({ Component: (await import('./WorklistPage')).WorklistPage }) },
  { path: 'tickets/:ticketId', lazy: async () => ({ Component: (await import('./TicketPage')).TicketPage }) },
  { path: 'dashboard', lazy: async () => ({ Component: (await import('./DashboardPage')).DashboardPage }) },
  { path: 'overview', lazy: async () => ({ Component: (await import('./OverviewPage')).OverviewPage }) },
  { path: 'access-log', lazy: async () => ({ Component: (await import('./AccessLogPage')).AccessLogPage }) },
];
