/**
 * TensorBoard event files: `Event` protocol buffers (tensorflow/core/util/event.proto, Summary and
 * HistogramProto from tensorflow/core/framework/summary.proto) in TFRecord framing. Each record is
 * the data's length as a little-endian uint64, the masked CRC-32C of those 8 bytes, the data, and
 * the masked CRC-32C of the data. The first event of a file carries `file_version: "brain.Event:2"`.
 *
 * Field numbers used: Event { double wall_time = 1; int64 step = 2; string file_version = 3;
 * Summary summary = 5 }, Summary { repeated Value value = 1 }, Summary.Value { string tag = 1;
 * float simple_value = 2; HistogramProto histo = 5 }, HistogramProto { double min = 1; double max = 2;
 * double num = 3; double sum = 4; double sum_squares = 5; repeated double bucket_limit = 6 [packed];
 * repeated double bucket = 7 [packed] }.
 */
import { maskedCrc32c } from './crc32c';
import { ProtoWriter } from './protobuf';

/** The version string TensorBoard expects in a file's first event. */
export const FILE_VERSION = 'brain.Event:2';

/** A histogram as TensorBoard reads it: bucket i holds values in (bucketLimit[i−1], bucketLimit[i]]. */
export interface TbHistogram {
  min: number; max: number; num: number; sum: number; sumSquares: number;
  bucketLimit: number[]; bucket: number[];
}

/** One summary value: a scalar or a histogram, under a tag. */
export type TbValue = { tag: string; scalar: number } | { tag: string; histogram: TbHistogram };

function histogramProto(h: TbHistogram): Uint8Array {
  return new ProtoWriter().double(1, h.min).double(2, h.max).double(3, h.num).double(4, h.sum).double(5, h.sumSquares)
    .packedDoubles(6, h.bucketLimit).packedDoubles(7, h.bucket).finish();
}

function valueProto(v: TbValue): Uint8Array {
  const w = new ProtoWriter().string(1, v.tag);
  if ('scalar' in v) w.float(2, v.scalar);
  else w.bytes(5, histogramProto(v.histogram));
  return w.finish();
}

/** The bytes of an Event with `file_version` (the first event of a file). */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return new ProtoWriter().double(1, wallTime).string(3, FILE_VERSION).finish();
}

/** The bytes of an Event holding a Summary of `values` at `step`. */
export function summaryEvent(wallTime: number, step: number, values: TbValue[]): Uint8Array {
  const summary = new ProtoWriter();
  for (const v of values) summary.bytes(1, valueProto(v));
  return new ProtoWriter().double(1, wallTime).int64(2, step).bytes(5, summary.finish()).finish();
}

/** One TFRecord: length, masked CRC of the length, data, masked CRC of the data. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(data.length), true);
  dv.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  dv.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}
