/** Providers, set once: antd in zh_CN, the query client, the sign-in provider of the stage, the router. */
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { RouterProvider } from 'react-router';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import { Loading } from '@/components/PageState';
import { ToastProvider } from '@/components/ToastProvider';
import { configureApi } from '@/lib/api/client';
import { toastOutsideReact } from '@/hooks/useToast';
import { ApiError, errorMessage } from '@/lib/api/errors';
import { LocalAuthProvider } from '@/lib/auth/LocalAuthProvider';
import { RuntimeConfigContext, type RuntimeConfig } from '@/lib/config';
import '@/lib/dates';
import { createRouter } from './routes';
import { theme } from './theme';

const OidcAuthProvider = lazy(() => import('@/lib/auth/OidcAuthProvider'));

/**
 * The last net under "every API error shows its message": a mutation made without useApiMutation, and a query
 * whose page shows nothing of its failure (reference data, `meta.toastErrors`), still toast the API's message.
 */
function makeQueryClient(): QueryClient {
  return new QueryClient({
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (!mutation.meta?.errorsShown) toastOutsideReact()?.error(errorMessage(error));
      },
    }),
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (query.meta?.toastErrors) toastOutsideReact()?.error(errorMessage(error));
      },
    }),
    defaultOptions: {
      queries: {
        // A 4xx will not change by asking again; a network blip might.
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
        staleTime: 10_000,
      },
      mutations: { retry: false },
    },
  });
}

function AuthBoundary({ config, children }: { config: RuntimeConfig; children: ReactNode }) {
  if (config.auth.mode === 'oidc') {
    return (
      <Suspense fallback={<Loading label="正在准备登录…" />}>
        <OidcAuthProvider config={config.auth}>{children}</OidcAuthProvider>
      </Suspense>
    );
  }
  return <LocalAuthProvider>{children}</LocalAuthProvider>;
}

export function App({ config }: { config: RuntimeConfig }) {
  const [queryClient] = useState(makeQueryClient);
  const [router] = useState(() => {
    configureApi(config.apiUrl);
    return createRouter();
  });
  return (
    <ConfigProvider locale={zhCN} theme={theme} button={{ autoInsertSpace: false }}>
      <ToastProvider>
        <ErrorBoundary>
          <RuntimeConfigContext.Provider value={config}>
            <QueryClientProvider client={queryClient}>
              <AuthBoundary config={config}>
                <RouterProvider router={router} />
              </AuthBoundary>
            </QueryClientProvider>
          </RuntimeConfigContext.Provider>
        </ErrorBoundary>
      </ToastProvider>
    </ConfigProvider>
  );
}
