/** SCSI operation codes that move data (SBC): READ/WRITE (6), (10), (12), (16). */
export const SCSI_WRITE_OPS = new Set([0x0a, 0x2a, 0xaa, 0x8a]);
export const SCSI_READ_OPS = new Set([0x08, 0x28, 0xa8, 0x88]);
