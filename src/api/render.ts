import { churnCsv, churnJson, churnTable } from '../render/churn.js';
import { renderHtmlReport } from '../render/html.js';
import {
  modelsCsv,
  modelsTable,
  planJson,
  planTable,
  simulationCsv,
  simulationJson,
  simulationTable,
} from '../render/planning.js';
import { htmlData } from '../report/html-data.js';
import { htmlHeadline } from '../report/html-headline.js';
import { sizeLink } from '../report/sizing.js';
import type { Store } from '../store/store.js';
import { sizingOf, type ChurnReport, type LinkOptions } from './churn.js';
import { defaultPeriodS, type LinkPlan, type ModelsReport, type Simulation } from './planning.js';
import { checkLinkOptions, checkOptions, checkSelection } from './check-options.js';
import { selectData, type Selection } from './selection.js';
import { oneOf, optional, positiveNumber } from './validate.js';

/** Output formats of the renderers; tables are for terminals (aligned, units in the cells). */
export type RenderFormat = 'table' | 'csv' | 'json';

const FORMATS: readonly RenderFormat[] = ['table', 'csv', 'json'];

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** A churn report as an aligned table, CSV or JSON (as `churnlink report` prints it). */
export function renderChurn(report: ChurnReport, format: RenderFormat): string {
  oneOf('format', format, FORMATS);
  const views = report.rows.map((row) => ({ row, sizing: sizeLink(row.changedBytes, report.sizing) }));
  if (format === 'csv') return churnCsv(views, report.by, report.per, report.sizing);
  if (format === 'json') return json(churnJson(views, report.by));
  return churnTable(views, { ...report });
}

/** Replication models as a table, CSV or JSON (as `churnlink report --models` prints them). */
export function renderModels(report: ModelsReport, format: RenderFormat): string {
  oneOf('format', format, FORMATS);
  if (format === 'csv') return modelsCsv(report.rows);
  if (format === 'json') return json(report.rows);
  return modelsTable(report.rows, report, report.params);
}

/** A simulation as a table, CSV (max RPO per interval) or JSON (as `churnlink simulate` prints it). */
export function renderSimulation(simulation: Simulation, format: RenderFormat): string {
  oneOf('format', format, FORMATS);
  if (format === 'csv') return simulationCsv(simulation);
  if (format === 'json') return json(simulationJson(simulation));
  return simulationTable(simulation);
}

/** A link plan as a table or JSON (as `churnlink plan` prints it). */
export function renderPlan(plan: LinkPlan, format: Exclude<RenderFormat, 'csv'>): string {
  return oneOf('format', format, ['table', 'json'] as const) === 'json' ? json(planJson(plan)) : planTable(plan);
}

export interface HtmlReportOptions extends Selection, LinkOptions {
  /** Async cycle of the RPO chart and the asynchronous model (s); default: the interval. */
  cycleS?: number;
  /** Periodic replication period (s); default 1 h when the interval divides it, else the interval. */
  periodS?: number;
  /** RPO target line (s); default two cycles. */
  targetS?: number;
}

/** The self-contained HTML report (inline SVG charts) of a store, as `churnlink report --format html`. */
export async function htmlReport(store: Store, options: HtmlReportOptions = {}): Promise<string> {
  const o = checkOptions(options);
  checkSelection(o);
  checkLinkOptions(o);
  for (const name of ['cycleS', 'periodS', 'targetS']) optional(o[name], (v) => positiveNumber(name, v), false);
  const { source, settings, range, ctx, excluded } = await selectData(store, options);
  const cycleS = options.cycleS ?? settings.intervalS;
  const sizing = sizingOf(options);
  const data = await htmlData(source, {
    settings,
    ctx,
    range,
    sizing,
    cycleS,
    periodS: options.periodS ?? defaultPeriodS(settings.intervalS),
    targetS: options.targetS ?? 2 * cycleS,
    excluded,
    store: store.location,
    group: options.group ?? null,
  });
  const targetRpoS = options.targetS ?? null;
  data.headline = await htmlHeadline(source, { settings, range, sizing, cycleS, targetRpoS }, data);
  return renderHtmlReport(data);
}
