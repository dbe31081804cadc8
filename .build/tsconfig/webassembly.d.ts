// The WebAssembly JS API that Node provides. TypeScript declares it only in lib.dom, which the Node
// projects must not see; this is the part of lib.dom's declaration the kernel's engine code uses.
declare namespace WebAssembly {
  type ExportValue = Function | Global | Memory | Table;
  type Exports = Record<string, ExportValue>;
  type ImportValue = ExportValue | number;
  type ModuleImports = Record<string, ImportValue>;
  type Imports = Record<string, ModuleImports>;
  interface Global { value: unknown; valueOf(): unknown }
  interface Table { readonly length: number }
  interface Memory { readonly buffer: ArrayBuffer; grow(delta: number): number }
  var Memory: { prototype: Memory; new (descriptor: { initial: number; maximum?: number; shared?: boolean }): Memory };
  interface Module {}
  var Module: { prototype: Module; new (bytes: ArrayBufferView | ArrayBuffer): Module };
  interface Instance { readonly exports: Exports }
  var Instance: { prototype: Instance; new (module: Module, importObject?: Imports): Instance };
}
