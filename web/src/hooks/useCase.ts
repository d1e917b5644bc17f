/** One case as its applicant or staff see it: detail, timeline, parcels and reviews, each its own query. */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '@/lib/api/client';

export const caseKeys = {
  all: (caseNo: string) => ['case', caseNo] as const,
  detail: (caseNo: string) => ['case', caseNo, 'detail'] as const,
  timeline: (caseNo: string) => ['case', caseNo, 'timeline'] as const,
  shipments: (caseNo: string) => ['case', caseNo, 'shipments'] as const,
  reviews: (caseNo: string) => ['case', caseNo, 'reviews'] as const,
};

const path = (caseNo: string) => ({ params: { path: { case_no: caseNo } } });

export function useCaseDetail(caseNo: string) {
  return useQuery({ queryKey: caseKeys.detail(caseNo), queryFn: () => call(api().GET('/cases/{case_no}', path(caseNo))) });
}

export function useCaseTimeline(caseNo: string) {
  return useQuery({
    queryKey: caseKeys.timeline(caseNo),
    queryFn: async () => (await call(api().GET('/cases/{case_no}/timeline', path(caseNo)))).items,
  });
}

export function useCaseShipments(caseNo: string) {
  return useQuery({
    queryKey: caseKeys.shipments(caseNo),
    queryFn: async () => (await call(api().GET('/cases/{case_no}/shipments', path(caseNo)))).items,
  });
}

export function useCaseReviews(caseNo: string, enabled = true) {
  return useQuery({
    queryKey: caseKeys.reviews(caseNo),
    enabled,
    queryFn: async () => (await call(api().GET('/cases/{case_no}/reviews', path(caseNo)))).items,
  });
}
