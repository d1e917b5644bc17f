/** Handling-office staff pages (desktop): the inbox, a case with its actions, its prints, the consolidated
 * parcels (合包) with their handover lists, and the office's
 * bad-review tickets (appeal). Loaded on demand, so no other role's pages carry them. */
import type { RouteObject } from 'react-router';

export const handlingRoutes: RouteObject[] = [
  { index: true, lazy: async () => ({ Component: (await import('./InboxPage')).InboxPage }) },
  { path: 'inbox', lazy: async () => ({ Component: (await import('./InboxPage')).InboxPage }) },
  { path: 'cases/:caseNo', lazy: async () => ({ Component: (await import('./HandlingCasePage')).HandlingCasePage }) },
  { path: 'print/handover/:caseNo/:waybill', lazy: async () => ({ Component: (await import('./print/ParcelPrintPage')).HandoverPage }) },
  { path: 'print/label/:caseNo/:waybill', lazy: async () => ({ Component: (await import('./print/ParcelPrintPage')).LabelPage }) },
  { path: 'parcels', lazy: async () => ({ Component: (await import('./ParcelsPage')).ParcelsPage }) },
  { path: 'parcels/:parcelId', lazy: async () => ({ Component: (await import('./ParcelPage')).ParcelPage }) },
  { path: 'print/parcel/:parcelId', lazy: async () => ({ Component: (await import('./print/ParcelPrintPage')).ParcelHandoverPage }) },
  { path: 'tickets', lazy: async () => ({ Component: (await import('./OfficeTicketsPage')).OfficeTicketsPage }) },
  { path: 'tickets/:ticketId', lazy: async () => ({ Component: (await import('@/features/supervisor/TicketPage')).TicketPage }) },
];
