/**
 * Charts as PNG without a browser: a Vega-Lite spec is compiled to Vega, rendered headless to SVG
 * by Vega's own renderer, and rasterised by resvg with the DejaVu Sans font, so the text looks the
 * same on every CI runner that has the font installed.
 */
import fs from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { OperationalError } from '../errors.ts';

/** Where Debian's and Ubuntu's fonts-dejavu-core put it. */
export const CHART_FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const CHART_FONT_FAMILY = 'DejaVu Sans';
/** Pixels per SVG unit: sharp in a pull request at a readable file size. */
const PNG_SCALE = 2;

export async function chartToSvg(spec: TopLevelSpec): Promise<string> {
  const themed = { ...spec, config: { font: CHART_FONT_FAMILY, background: 'white', ...spec.config } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(themed).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function chartToPng(spec: TopLevelSpec): Promise<Uint8Array> {
  if (!fs.existsSync(CHART_FONT_FILE)) {
    throw new OperationalError(
      `${CHART_FONT_FILE}: no such font; charts need DejaVu Sans (apt-get install fonts-dejavu-core)`,
    );
  }
  const svg = await chartToSvg(spec);
  const renderer = new Resvg(svg, {
    font: { fontFiles: [CHART_FONT_FILE], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    background: 'white',
  });
  return renderer.render().asPng();
}
