/** Reference data (offices, the matter catalogue): public, rarely changing, cached for the session. */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';

export type Office = components['schemas']['Office'];
export type Matter = components['schemas']['Matter'];

export function useOffices() {
  return useQuery({
    queryKey: ['offices'],
    queryFn: async () => (await call(api().GET('/offices'))).items,
    staleTime: Infinity,
    meta: { toastErrors: true }, // pages show ids in place of names: say why
  });
}

export function useMatters(city?: string) {
  return useQuery({
    queryKey: ['matters', city ?? 'all'],
    queryFn: async () => (await call(api().GET('/matters', { params: { query: city ? { city } : {} } }))).items,
    staleTime: Infinity,
    meta: { toastErrors: true },
  });
}

/** Office id → its name, for pages that show ids from the API. */
export function useOfficeName(): (id: string | null | undefined) => string {
  const { data } = useOffices();
  return (id) => (id ? data?.find((o) => o.office_id === id)?.name ?? id : '—');
}

export function useMatterName(): (id: string | null | undefined) => string {
  const { data } = useMatters();
  return (id) => (id ? data?.find((m) => m.matter_id === id)?.name ?? id : '—');
}
