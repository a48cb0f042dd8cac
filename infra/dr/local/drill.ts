import type { Io } from "../runner/io";

export interface LocalDrillOptions { stack: string; stacksDir?: string; io: Io; maxSeconds: number; json: boolean }
export async function runLocalDrill(_o: LocalDrillOptions): Promise<{ passed: boolean }> {
    throw new Error("not yet");
}
