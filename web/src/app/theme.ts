import type { ThemeConfig } from 'antd';

/** Government blue, with contrast that meets WCAG 2.2 AA on white. */
export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#0b57d0',
    // antd derives a lighter hover shade (#2f78de) on which white text falls under 4.5:1: keep hover dark.
    colorPrimaryHover: '#0842a0',
    // Status colours dark enough for text on white and on their own light backgrounds (WCAG 2.2 AA, 4.5:1).
    colorError: '#cf1322',
    colorWarning: '#ad4e00',
    colorSuccess: '#237804',
    colorInfo: '#0b57d0',
    // …with the usual light backgrounds (the dark seeds above would otherwise tint them muddy).
    colorErrorBg: '#fff2f0',
    colorErrorBorder: '#ffccc7',
    colorWarningBg: '#fffbe6',
    colorWarningBorder: '#ffe58f',
    colorSuccessBg: '#f6ffed',
    colorSuccessBorder: '#b7eb8f',
    colorLink: '#0b57d0',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
    borderRadius: 6,
  },
};
