import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const src = path.resolve(import.meta.dirname, "../src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+["']([^"']+)["']/gms)].map((m) => m[1]!);
}

/** Pure parsing and date libraries the core may use; everything else (platforms, vendors, native code) may not. */
const coreAllowedPackages = new Set(["zod", "yaml", "chrono-node"]);

describe("architecture", () => {
  it("keeps the core free of adapters, infrastructure, the service layer and vendor packages", () => {
    const offenders: string[] = [];
    for (const file of files(path.join(src, "core"))) {
      for (const spec of imports(file)) {
        if (spec.startsWith("node:")) continue;
        if (spec.startsWith(".")) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(path.join(src, "core")))
            offenders.push(`${path.relative(src, file)} → ${spec}`);
          continue;
        }
        if (!coreAllowedPackages.has(spec)) offenders.push(`${path.relative(src, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("keeps the service layer free of chat platforms", () => {
    const offenders = files(path.join(src, "service")).flatMap((file) =>
      imports(file)
        .filter((spec) => /adapters\/|^grammy|^discord\.js|^@grammyjs/.test(spec))
        .map((spec) => `${path.relative(src, file)} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it("reads process.env only in the config module", () => {
    const offenders = files(src)
      .filter((file) => !file.endsWith(path.join("config", "config.ts")))
      .filter((file) => /process\.env\b/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(src, file));
    expect(offenders).toEqual([]);
  });
});
