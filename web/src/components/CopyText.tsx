/**
 * A value a citizen may want to keep (case number, query code) in bold, with a button that copies it. A few
 * lines in place of antd Typography's `copyable`, which brings a tooltip and an editor along.
 */
import { CheckOutlined, CopyOutlined } from '@ant-design/icons';
import { useState } from 'react';

export function CopyText({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="kc-copy-text">
      <strong data-testid={testId}>{text}</strong>
      <button
        type="button"
        className="kc-copy"
        aria-label={copied ? `已复制${label}` : `复制${label}`}
        title={copied ? '已复制' : '复制'}
        onClick={() => {
          // The clipboard may be refused (an insecure origin, a denied permission): the value stays on screen.
          void navigator.clipboard?.writeText(text).then(() => {
            setCopied(true);
            window.setTimeout(() => setCopied(false), 2000);
          }, () => undefined);
        }}
      >
        {copied ? <CheckOutlined /> : <CopyOutlined />}
      </button>
    </span>
  );
}
