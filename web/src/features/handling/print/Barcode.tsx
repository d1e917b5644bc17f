/** A Code 128 barcode of a waybill number, drawn by JsBarcode (loaded only when a label is shown). */
import { useEffect, useRef, useState } from 'react';

export function Barcode({ value, height = 60 }: { value: string; height?: number }) {
  const ref = useRef<SVGSVGElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    import('jsbarcode')
      .then(({ default: JsBarcode }) => {
        if (live && ref.current) {
          JsBarcode(ref.current, value, { format: 'CODE128', height, width: 2, margin: 0, displayValue: true, fontSize: 16 });
          ref.current.setAttribute('data-rendered', 'true');
        }
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [value, height]);
  if (failed) return <p role="alert">条码生成失败，请刷新后重试。运单号：{value}</p>;
  return <svg ref={ref} role="img" aria-label={`运单号条码 ${value}`} className="kc-barcode" />;
}
