/**
 * Files a load run can leave behind: a self-contained HTML page with inline SVG charts
 * ({@link dev.netkit.cli.load.report.HtmlReport}) and HdrHistogram's interval log of latencies
 * ({@link dev.netkit.cli.load.report.HdrIntervalLog}), both written through a temporary file
 * moved into place ({@link dev.netkit.cli.load.report.ReportFile}).
 */
package dev.netkit.cli.load.report;
