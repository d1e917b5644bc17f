/** The last line: a render error shows a page that says what happened and offers a way on, never a blank page. */
import { Button } from 'antd';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Notice } from './Notice';

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('console error boundary', error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <Notice
        tone="error"
        title="页面出错了"
        description={<span role="alert">{this.state.error.message || '发生了意外错误'}</span>}
        extra={<>
          <Button type="primary" onClick={() => window.location.reload()}>重新加载</Button>
          <Button onClick={() => window.location.assign('/')}>返回首页</Button>
        </>}
      />
    );
  }
}
