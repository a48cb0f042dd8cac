/** Carves the `index`-th block of `newBits` extra prefix bits out of an IPv4 CIDR block. */
export function subnetCidr(parent: string, newBits: number, index: number): string {
    const [address, prefixText] = parent.split("/");
    const prefix = Number(prefixText);
    const newPrefix = prefix + newBits;
    if (newPrefix > 28) throw new Error(`${parent} is too small for ${2 ** newBits} subnets`);
    if (index >= 2 ** newBits) throw new Error(`${parent} has no subnet number ${index} at /${newPrefix}`);
    const base = address!.split(".").reduce((acc, octet) => (acc << 8) + Number(octet), 0) >>> 0;
    const start = (base + index * 2 ** (32 - newPrefix)) >>> 0;
    return `${[24, 16, 8, 0].map((s) => (start >>> s) & 255).join(".")}/${newPrefix}`;
}
