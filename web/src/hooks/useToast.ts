/**
 * Short messages at the top of the page (done, failed, someone else changed the case), read out by screen
 * readers. Provided once by ToastProvider (components/ToastProvider.tsx): a few lines of our own in place of
 * antd's message, whose notification machinery every public and citizen page would otherwise load. Staff pages
 * may still use antd's App.useApp() (app/StaffApp.tsx).
 */
import { createContext, useContext, type ReactNode } from 'react';

export type ToastKind = 'success' | 'error' | 'warning' | 'info';

/** Each shows its content for `seconds` (default 3; errors 6) and then goes. */
export type Toast = Record<ToastKind, (content: ReactNode, seconds?: number) => void>;

export const ToastContext = createContext<Toast | null>(null);

/** The provider's toast, for code outside React's tree (the query client's error net in app/App.tsx). */
const mounted: { toast: Toast | null } = { toast: null };

export function registerToast(toast: Toast | null): void {
  mounted.toast = toast;
}

export function toastOutsideReact(): Toast | null {
  return mounted.toast;
}

export function useToast(): Toast {
  const toast = useContext(ToastContext);
  if (!toast) throw new Error('useToast needs a ToastProvider above it');
  return toast;
}
