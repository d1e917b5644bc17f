/**
 * A mutation with the console's error rules: every API error shows its message; a 409 says someone else
 * changed the case and reloads it; a 400 with `field` is left for the form to show next to that field.
 */
import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import { useToast } from '@/hooks/useToast';
import { ApiError, errorMessage } from '@/lib/api/errors';

export interface ApiMutationOptions<TData, TVariables> extends UseMutationOptions<TData, unknown, TVariables> {
  /** Query keys to reload after success and after a conflict (e.g. ['case', caseNo]). */
  reload?: (readonly unknown[])[];
  /** Shown on success. */
  successMessage?: string | ((data: TData) => string);
  /** When true, 400s with a field are not toasted (the form shows them beside the field). */
  fieldErrorsInForm?: boolean;
}

export function useApiMutation<TData, TVariables = void>(options: ApiMutationOptions<TData, TVariables>) {
  const queryClient = useQueryClient();
  const message = useToast();
  const { reload = [], successMessage, fieldErrorsInForm, onError, onSuccess, ...rest } = options;
  const reloadAll = () => Promise.all(reload.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  return useMutation<TData, unknown, TVariables>({
    ...rest,
    onSuccess: async (data, variables, result, context) => {
      await reloadAll();
      if (successMessage) message.success(typeof successMessage === 'function' ? successMessage(data) : successMessage);
      await onSuccess?.(data, variables, result, context);
    },
    onError: async (error, variables, result, context) => {
      if (error instanceof ApiError && error.isConflict) {
        message.warning(`该办件已被他人更改（${error.message}），已为您重新加载最新信息`);
        await reloadAll();
      } else if (!(fieldErrorsInForm && error instanceof ApiError && error.status === 400 && error.field)) {
        message.error(errorMessage(error));
      }
      await onError?.(error, variables, result, context);
    },
  });
}
