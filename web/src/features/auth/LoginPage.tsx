/**
 * Sign-in. Locally: the demo identities of the local stack (citizens, staff of each office, supervisors of each
 * city and the province), each signed in with a token from the local stack's console server. In the cloud: the
 * stage's identity provider (OpenID Connect, authorization code + PKCE).
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Space, Tag } from 'antd';
import { Panel } from '@/components/Panel';
import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ErrorState, Loading } from '@/components/PageState';
import { errorMessage } from '@/lib/api/errors';
import { useAuthValue } from '@/lib/auth/context';
import { homeOf } from '@/lib/auth/identity';
import { useRuntimeConfig, type LocalAuthConfig } from '@/lib/config';
import { cityName, ROLE_LABELS, type Role } from '@/lib/labels';

export interface DemoIdentity {
  id: string;
  role: Role;
  name: string;
  sub: string;
  office_id?: string;
  office_name?: string;
  city?: string;
  note?: string;
}

/** Only a path inside the console: `next` must not send anyone elsewhere after signing in. */
function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

function LocalLogin({ auth }: { auth: LocalAuthConfig }) {
  const { acceptToken } = useAuthValue();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const identities = useQuery({
    queryKey: ['local-identities'],
    queryFn: async () => {
      const response = await fetch(auth.identitiesUrl);
      if (!response.ok) throw new Error(`无法读取演示身份（HTTP ${response.status}）`);
      return ((await response.json()) as { items: DemoIdentity[] }).items;
    },
  });

  async function signInAs(identity: DemoIdentity) {
    setBusy(identity.id);
    setError(null);
    try {
      const response = await fetch(auth.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ identity: identity.id }),
      });
      const body = (await response.json().catch(() => ({}))) as { token?: string; message?: string };
      if (!response.ok || !body.token) throw new Error(body.message ?? `登录失败（HTTP ${response.status}）`);
      const who = acceptToken(body.token);
      if (!who) throw new Error('登录凭证无效');
      navigate(safeNext(params.get('next')) ?? homeOf(who), { replace: true });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  if (identities.isPending) return <Loading label="正在读取演示身份…" />;
  if (identities.isError) return <ErrorState error={identities.error} onRetry={() => identities.refetch()} />;

  const groups: { role: Role; title: string }[] = [
    { role: 'citizen', title: '群众' },
    { role: 'staff', title: '窗口工作人员（按服务窗口）' },
    { role: 'supervisor', title: '监督人员（按城市；广东省为省级）' },
  ];
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Alert
        type="info"
        showIcon
        title="本地演示环境"
        description="选择一个演示身份登录。此登录方式只存在于本机运行的演示环境，云端各环境使用统一身份认证登录。"
      />
      {error ? <Alert type="error" showIcon title={<span role="alert">{error}</span>} /> : null}
      {groups.map((group) => (
        <Panel key={group.role} title={<h2 className="kc-card-title">{group.title}</h2>} size="small">
          <ul className="kc-identity-list">
            {identities.data.filter((i) => i.role === group.role).map((identity) => (
              <li key={identity.id}>
                <div>
                  <div className="kc-identity-name">{identity.name}</div>
                  <Space size={4} wrap>
                    <Tag>{ROLE_LABELS[identity.role]}</Tag>
                    {identity.office_name ? <span>{identity.office_name}</span> : null}
                    {identity.city ? <span>{cityName(identity.city)}</span> : null}
                    {identity.note ? <span>{identity.note}</span> : null}
                  </Space>
                </div>
                <Button
                  type="primary"
                  loading={busy === identity.id}
                  onClick={() => void signInAs(identity)}
                  aria-label={`以 ${identity.name} 的身份登录`}
                >
                  登录
                </Button>
              </li>
            ))}
          </ul>
        </Panel>
      ))}
    </Space>
  );
}

function OidcLogin() {
  const auth = useAuthValue();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next')) ?? '/';
  useEffect(() => {
    if (auth.ready && !auth.identity) auth.signIn(next);
  }, [auth, next]);
  if (auth.identity) {
    return <Alert type="success" title={`已登录：${auth.identity.name}`} action={<Button href={homeOf(auth.identity)}>进入</Button>} />;
  }
  return <Loading label="正在转到统一身份认证…" />;
}

export function LoginPage() {
  const config = useRuntimeConfig();
  return (
    <section aria-labelledby="login-title">
      <h1 id="login-title" className="kc-page-title">登录</h1>
      {config.auth.mode === 'local' ? <LocalLogin auth={config.auth} /> : <OidcLogin />}
    </section>
  );
}

export function CallbackPage() {
  // react-oidc-context finishes the code exchange and reloads the page the person came from.
  return <Loading label="正在完成登录…" />;
}
