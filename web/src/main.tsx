import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '@/app/App';
import { loadConfig } from '@/lib/config';
import '@/app/styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);

// No unhandled promise goes unseen: log it (the error boundary and the query layer show errors to people).
window.addEventListener('unhandledrejection', (event) => {
  console.error('unhandled promise rejection', event.reason);
});

loadConfig()
  .then((config) => {
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    );
  })
  .catch((error: unknown) => {
    const box = document.createElement('div');
    box.setAttribute('role', 'alert');
    box.className = 'kc-boot-error';
    box.textContent = `跨城通办控制台无法启动：${error instanceof Error ? error.message : String(error)}。请稍后刷新重试。`;
    document.getElementById('root')?.replaceChildren(box);
  });
