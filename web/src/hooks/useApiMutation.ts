/**
 * A mutation with the console's error rules: every API error shows its message; a 409 says someone else
 * changed the case and reloads it; a 400 with `field` is left for the form to show next to that field, when the
 * form has that field. Mutations made without this hook still toast their errors (the query client's mutation
 * cache, app/App.tsx): `meta.errorsShown` tells it this hook has done so.
 */
import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import { useToast } from '@/hooks/useToast';
import { ApiError, errorMessage } from '@/lib/api/errors';

export interface ApiMutationOptions<TData, TVariables> extends UseMutationOptions<TData, unknown, TVariables> {
  /** Query keys to reload after success and after a conflict (e.g. ['case', caseNo]). */
  reload?: (readonly unknown[])[];
  /** Shown on success. */
  successMessage?: string | ((data: TData) => string);
  /**
   * 400s with a field that the form shows beside the field, so they are not toasted: the form's field names, or
   * true when the form shows any field's error (e.g. falling back to one of its fields, or an error summary).
   */
  fieldErrorsInForm?: boolean | readonly string[];
}

export function useApiMutation<TData, TVariables = void>(options: ApiMutationOptions<TData, TVariables>) {
  const queryClient = useQueryClient();
  const message = useToast();
  const { reload = [], successMessage, fieldErrorsInForm, onError, onSuccess, ...rest } = options;
  const reloadAll = () => Promise.all(reload.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  const inForm = (error: unknown) =>
    error instanceof ApiError && error.status === 400 && !!error.field
    && (fieldErrorsInForm === true || (Array.isArray(fieldErrorsInForm) && fieldErrorsInForm.includes(error.field)));
  return useMutation<TData, unknown, TVariables>({
    ...rest,
    meta: { ...rest.meta, errorsShown: true },
    onSuccess: async (data, variables, result, context) => {
      await reloadAll();
      if (successMessage) message.success(typeof successMessage === 'function' ? successMessage(data) : successMessage);
      await onSuccess?.(data, variables, result, context);
    },
    onError: async (error, variables, result, context) => {
      if (error instanceof ApiError && error.isConflict) {
        message.warning(`该办件已被他人更改（${error.message}），已为您重新加载最新信息`);
        await reloadAll();
      } else if (!inForm(error)) {
        message.error(errorMessage(error));
      }
      await onError?.(error, variables, result, context);
    },
  });
}
