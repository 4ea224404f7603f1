/** The interpreter Debian's package installs for. */
export declare const PYICLOUD_PYTHON: string
/** How to get pyicloud on Debian and Ubuntu. */
export declare const PYICLOUD_INSTALL: string
/**
 * Whether `probe` (Python code, by default `import pyicloud`) runs. Absent under CI=true throws;
 * absent elsewhere warns with the install command.
 */
export declare function pyicloudPresent(probe?: string): boolean
/** Runs a Python script with Debian's interpreter; a non-zero exit rejects with its standard error. */
export declare function runPython(args: readonly string[]): Promise<{ stdout: string; stderr: string }>
