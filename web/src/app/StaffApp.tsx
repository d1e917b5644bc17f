/**
 * antd's App around the staff and supervisor branches only (loaded with them, never on the public and citizen
 * pages): it gives App.useApp()'s modal and notification to staff pages that want them. Toasts everywhere go
 * through useToast.
 */
import { App } from 'antd';
import type { ReactNode } from 'react';

export default function StaffApp({ children }: { children: ReactNode }) {
  return <App>{children}</App>;
}
