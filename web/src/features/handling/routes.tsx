/** Handling-office staff pages (desktop): the inbox, a case with its actions, its prints, and the office's
 * bad-review tickets (appeal). Loaded on demand, so no other role's pages carry them. */
import type { RouteObject } from 'react-router';

export const handlingRoutes: RouteObject[] = [
  { index: true, lazy: async () => ({ Component: (await import('./InboxPage')).InboxPage }) },
  { path: 'inbox', lazy: async () => ({ Component: (await import('./InboxPage')).InboxPage }) },
  { path: 'cases/:caseNo', lazy: async () => ({ Component: (await import('./HandlingCasePage')).HandlingCasePage }) },
  { path: 'print/handover/:caseNo/:waybill', lazy: async () => ({ Component: (await import('./print/ParcelPrintPage')).HandoverPage }) },
  { path: 'print/label/:caseNo/:waybill', lazy: async () => ({ Component: (await import('./print/ParcelPrintPage')).LabelPage }) },
  { path: 'tickets', lazy: async () => ({ Component: (await import('./OfficeTicketsPage')).OfficeTicketsPage }) },
  { path: 'tickets/:ticketId', lazy: async () => ({ Component: (await import('@/features/supervisor/TicketPage')).TicketPage }) },
];
