/** Consolidated parcels (合包): one parcel with its handover list (交接单), and an office's parcels by page. */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';

export type Parcel = components['schemas']['Parcel'];
export type ParcelSummary = components['schemas']['ParcelSummary'];
export type HandoverItem = components['schemas']['HandoverItem'];
export type ParcelStatus = ParcelSummary['status'];
export type ParcelDirection = 'outgoing' | 'incoming';

export const parcelKeys = {
  all: ['parcel'] as const,
  detail: (parcelId: string) => ['parcel', parcelId] as const,
  office: (officeId: string, direction: ParcelDirection, status: ParcelStatus, cursor?: string) =>
    ['parcel', 'office', officeId, direction, status, cursor ?? ''] as const,
};

export function useParcel(parcelId: string) {
  return useQuery({
    queryKey: parcelKeys.detail(parcelId),
    queryFn: () => call(api().GET('/parcels/{parcel_id}', { params: { path: { parcel_id: parcelId } } })),
  });
}

export function useOfficeParcels(officeId: string, direction: ParcelDirection, status: ParcelStatus, cursor?: string) {
  return useQuery({
    queryKey: parcelKeys.office(officeId, direction, status, cursor),
    enabled: Boolean(officeId),
    queryFn: () =>
      call(api().GET('/offices/{office_id}/parcels', {
        params: { path: { office_id: officeId }, query: { direction, status, limit: 20, cursor } },
      })),
  });
}

export const PARCEL_STATUS_LABELS: Record<ParcelStatus, string> = {
  OPEN: '待封包', SEALED: '已封包（寄递中）', ARRIVED: '已到达', EMPTY: '空包',
};

export const HANDOVER_STATE_LABELS: Record<HandoverItem['state'], string> = {
  PACKED: '待核对', SIGNED: '已签收', MISSING: '缺件',
};
