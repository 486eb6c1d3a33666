/** The tiny trace (test/fixtures/) rendered in every format, shared by the reader tests. */

const START = '2026-01-05T00:00:00Z';

/** Each rendering of the tiny trace: files, flags, its names for the two volumes, warnings. */
export const FIXTURE_RENDERINGS: {
  format: string;
  files: string[];
  args: string[];
  volumes: [string, string];
  stderr?: string;
}[] = [
  { format: 'msr', files: ['tiny.msr.csv'], args: [], volumes: ['hostA_0', 'hostA_1'] },
  {
    format: 'csv',
    files: ['tiny.csv'],
    args: ['--columns', 'time=time:s,volume=volume,op=op,offset=lba:sector,length=size:B'],
    volumes: ['hostA_0', 'hostA_1'],
  },
  { format: 'spc', files: ['tiny.spc.csv'], args: ['--start', START], volumes: ['0', '1'] },
  { format: 'alibaba', files: ['tiny.alibaba.csv'], args: [], volumes: ['0', '1'] },
  { format: 'tencent', files: ['tiny.tencent.csv'], args: [], volumes: ['1000', '1001'] },
  { format: 'fiu', files: ['tiny.fiu.txt'], args: ['--start', START], volumes: ['8:0', '8:16'] },
  { format: 'blkparse', files: ['tiny.blkparse.txt'], args: ['--start', START], volumes: ['8:0', '8:16'] },
  {
    format: 'tracefs',
    files: ['tiny.tracefs.txt'],
    args: ['--start', START],
    volumes: ['8:0', '8:16'],
    stderr: `warning: tracefs: {file}: block_rq_issue events ignored; block_bio_queue events are counted so that no I/O counts twice (10 times)\n`,
  },
  {
    format: 'vscsi',
    files: ['vscsi-v1/hostA_0.vscsi', 'vscsi-v1/hostA_1.vscsi'],
    args: ['--start', START],
    volumes: ['hostA_0', 'hostA_1'],
  },
  {
    format: 'vscsi',
    files: ['vscsi-v2/hostA_0.vscsi', 'vscsi-v2/hostA_1.vscsi'],
    args: ['--start', START],
    volumes: ['hostA_0', 'hostA_1'],
  },
  {
    format: 'vscsi-csv',
    files: ['vscsi-csv/hostA_0.csv', 'vscsi-csv/hostA_1.csv'],
    args: ['--start', START],
    volumes: ['hostA_0', 'hostA_1'],
  },
  { format: 'blktrace', files: ['tiny.blktrace.0'], args: ['--start', START], volumes: ['8:0', '8:16'] },
  { format: 'blktrace', files: ['tiny-be.blktrace.0'], args: ['--start', START], volumes: ['8:0', '8:16'] },
];
