/** Provides useToast: a stack of short messages at the top centre of the page, each going after a few seconds. */
import { CheckCircleFilled, CloseCircleFilled, CloseOutlined, ExclamationCircleFilled, InfoCircleFilled } from '@ant-design/icons';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { registerToast, ToastContext, type Toast, type ToastKind } from '@/hooks/useToast';

interface Shown {
  id: number;
  kind: ToastKind;
  content: ReactNode;
}

const ICONS: Record<ToastKind, ReactNode> = {
  success: <CheckCircleFilled />,
  error: <CloseCircleFilled />,
  warning: <ExclamationCircleFilled />,
  info: <InfoCircleFilled />,
};

export function ToastProvider({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState<Shown[]>([]);
  const next = useRef(0);
  const close = useCallback((id: number) => setShown((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback((kind: ToastKind, content: ReactNode, seconds?: number) => {
    const id = ++next.current;
    setShown((all) => [...all.slice(-4), { id, kind, content }]);
    window.setTimeout(() => close(id), (seconds ?? (kind === 'error' ? 6 : 3)) * 1000);
  }, [close]);
  const toast = useMemo<Toast>(() => ({
    success: (content, seconds) => show('success', content, seconds),
    error: (content, seconds) => show('error', content, seconds),
    warning: (content, seconds) => show('warning', content, seconds),
    info: (content, seconds) => show('info', content, seconds),
  }), [show]);
  useEffect(() => {
    registerToast(toast);
    return () => registerToast(null);
  }, [toast]);
  return (
    <ToastContext.Provider value={toast}>
      {children}
      {/* Always in the page, so screen readers announce what is added to it. */}
      <div className="kc-toasts" role="status" aria-live="polite">
        {shown.map((t) => (
          <div key={t.id} className={`kc-toast kc-toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : undefined}>
            <span className="kc-toast-icon" aria-hidden="true">{ICONS[t.kind]}</span>
            <span className="kc-toast-content">{t.content}</span>
            <button type="button" className="kc-toast-close" aria-label="关闭提示" onClick={() => close(t.id)}>
              <CloseOutlined />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
