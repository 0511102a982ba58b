/**
 * The picture of physical memory: RAM frames along a Hilbert curve, coloured by page class or by
 * group (FrameScan reads kpageflags over all RAM), legends, and the PNG / animated GIF writers.
 * <p>May use: lib.groups, lib.pages, lib.proc, lib.text.
 */
package lib.picture;
