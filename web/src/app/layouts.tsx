/** Page frames: the public one (phone first) and the signed-in one with a side menu per role. */
import { LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { Button, Grid, Space } from 'antd';
import { Suspense, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import { Loading } from '@/components/PageState';
import { useAuthValue } from '@/lib/auth/context';
import { homeOf } from '@/lib/auth/identity';
import { cityName, ROLE_LABELS } from '@/lib/labels';
import { MENUS } from './menus';

function Brand() {
  return (
    <Link to="/" className="kc-brand" aria-label="跨城通办 首页">
      <span className="kc-brand-mark" aria-hidden="true">通</span>
      <span>跨城通办</span>
    </Link>
  );
}

function UserBox() {
  const auth = useAuthValue();
  const navigate = useNavigate();
  if (!auth.identity) {
    return <Button type="primary" onClick={() => auth.signIn(window.location.pathname)}>登录</Button>;
  }
  const who = auth.identity;
  const scope = who.officeId ?? (who.city ? cityName(who.city) : '');
  return (
    <Space size="small" wrap>
      <Link to={homeOf(who)} className="kc-user">
        {who.name}
        <span className="kc-user-role">（{ROLE_LABELS[who.role]}{scope ? ` · ${scope}` : ''}）</span>
      </Link>
      <Button
        icon={<LogoutOutlined />}
        onClick={() => {
          auth.signOut();
          navigate('/');
        }}
      >
        退出
      </Button>
    </Space>
  );
}

export function PublicLayout() {
  return (
    <div className="kc-layout">
      <header className="kc-header">
        <Brand />
        <nav aria-label="主要导航" className="kc-public-nav">
          <Link to="/track">办件查询</Link>
          <UserBox />
        </nav>
      </header>
      <div className="kc-content">
        <main id="main" className="kc-main kc-main-narrow">
          <ErrorBoundary>
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </main>
      </div>
      <footer className="kc-footer">广东省 跨城通办 · 深圳 · 东莞 · 珠海</footer>
    </div>
  );
}

export function RoleLayout() {
  const auth = useAuthValue();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const [drawer, setDrawer] = useState(false);
  const entries = auth.identity
    ? MENUS[auth.identity.role].filter((e) => !e.provincialOnly || auth.identity?.city === '440000')
    : [];
  const selected = entries
    .filter((e) => location.pathname === e.path || location.pathname.startsWith(`${e.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
  const desktop = screens.lg ?? true;
  const menu = (
    <nav aria-label="功能菜单" className="kc-role-menu" id="kc-role-menu">
      <ul>
        {entries.map((e) => (
          <li key={e.path}>
            <NavLink
              to={e.path}
              className={e.path === selected?.path ? 'kc-role-menu-current' : undefined}
              aria-current={e.path === selected?.path ? 'page' : undefined}
              onClick={() => setDrawer(false)}
            >
              <span aria-hidden="true">{e.icon}</span> {e.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
  return (
    <div className="kc-layout">
      <header className="kc-header">
        <Space>
          {desktop ? null : (
            <Button
              icon={<MenuOutlined />}
              aria-label={drawer ? '收起功能菜单' : '打开功能菜单'}
              aria-expanded={drawer}
              aria-controls="kc-role-menu"
              onClick={() => setDrawer((open) => !open)}
              className="kc-menu-button"
            />
          )}
          <Brand />
        </Space>
        <UserBox />
      </header>
      {/* On a phone the menu folds out under the header (a plain disclosure, not a modal drawer). */}
      {!desktop && drawer ? <div className="kc-menu-panel">{menu}</div> : null}
      <div className={desktop ? 'kc-body kc-body-sider' : 'kc-body'}>
        {desktop ? <aside className="kc-sider">{menu}</aside> : null}
        <div className="kc-content">
          <main id="main" className="kc-main">
            <ErrorBoundary key={location.pathname}>
              <Suspense fallback={<Loading />}>
                <Outlet />
              </Suspense>
            </ErrorBoundary>
          </main>
        </div>
      </div>
    </div>
  );
}
