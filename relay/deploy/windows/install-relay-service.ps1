<#
.SYNOPSIS
  Installs or upgrades the group writeback relay as a Windows service (docs/deployment.md, "Relay on Windows
  Server"; upgrades: docs/relay.md, "Upgrade").

.DESCRIPTION
  Expects the relay bundle (relay.mjs from `npm run relay:bundle`; by default the one beside this script's
  folder, as in dist\relay\), Node.js 22 in %ProgramFiles%\nodejs and, for the first install, WinSW (x64,
  downloaded by you from https://github.com/winsw/winsw/releases and checked against its published hash) at
  $WinSWPath. The script
    1. stops the service if it runs (an upgrade), copies relay.mjs (and the docs beside it) to $InstallDir,
    2. puts WinSW next to group-writeback-relay.xml as group-writeback-relay.exe and registers the service once,
    3. runs it as the virtual account NT SERVICE\group-writeback-relay (no password, no interactive logon),
    4. limits %ProgramData%\GroupWriteback (config, certificate, bind password, logs) to SYSTEM, Administrators
       and that account,
    5. starts the service again if it ran before.
  It never writes into $DataDir: relay.json and the secrets there stay as they are across upgrades. It does not
  start a new installation: check relay.json first (relay.mjs --check), then Start-Service group-writeback-relay.
  Run in an elevated PowerShell 7 (or Windows PowerShell 5.1).
#>
[CmdletBinding()]
param(
  [string]$BundlePath = (Join-Path (Split-Path $PSScriptRoot -Parent) 'relay.mjs'),
  [string]$InstallDir = (Join-Path $env:ProgramFiles 'GroupWriteback'),
  [string]$DataDir = (Join-Path $env:ProgramData 'GroupWriteback'),
  [string]$WinSWPath
)
$ErrorActionPreference = 'Stop'
$serviceName = 'group-writeback-relay'
$account = "NT SERVICE\$serviceName"

if (-not ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole(
    [Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw 'Run this script in an elevated PowerShell.'
}
if (-not (Test-Path $BundlePath)) {
  throw "The relay bundle is missing: $BundlePath (build it with npm run relay:bundle)"
}
if (-not (Test-Path (Join-Path $env:ProgramFiles 'nodejs\node.exe'))) {
  throw 'Node.js 22 is not installed in %ProgramFiles%\nodejs.'
}
$existing = Get-Service -Name $serviceName -ErrorAction SilentlyContinue
if (-not $existing -and -not $WinSWPath) {
  throw 'First installation: pass -WinSWPath (the WinSW x64 executable).'
}

$wasRunning = $existing -and $existing.Status -eq 'Running'
if ($wasRunning) {
  # SIGTERM-like stop: the relay gives back its sessions before the lock expires.
  Stop-Service -Name $serviceName
}

$serviceDir = Join-Path $InstallDir 'service'
New-Item -ItemType Directory -Force -Path $InstallDir, $serviceDir, $DataDir, (Join-Path $DataDir 'logs') | Out-Null
Copy-Item -Force $BundlePath (Join-Path $InstallDir 'relay.mjs')
$docs = Join-Path (Split-Path $BundlePath -Parent) 'docs'
if (Test-Path $docs) { Copy-Item -Force -Recurse $docs $InstallDir }
if ($WinSWPath) { Copy-Item -Force $WinSWPath (Join-Path $serviceDir "$serviceName.exe") }
Copy-Item -Force (Join-Path $PSScriptRoot "$serviceName.xml") (Join-Path $serviceDir "$serviceName.xml")

$wrapper = Join-Path $serviceDir "$serviceName.exe"
if (-not $existing) {
  & $wrapper install
  if ($LASTEXITCODE -ne 0) { throw "WinSW install failed ($LASTEXITCODE)" }
}

# Virtual account: a per-service identity managed by Windows, without a password to store or rotate.
& sc.exe config $serviceName obj= $account | Out-Null
if ($LASTEXITCODE -ne 0) { throw "sc.exe config failed ($LASTEXITCODE)" }

# Only SYSTEM, Administrators and the service account may touch the data directory (secrets live there).
& icacls.exe $DataDir /inheritance:r /grant:r 'SYSTEM:(OI)(CI)F' 'Administrators:(OI)(CI)F' "${account}:(OI)(CI)RX" | Out-Null
& icacls.exe (Join-Path $DataDir 'logs') /grant:r "${account}:(OI)(CI)M" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls failed ($LASTEXITCODE)" }

if ($wasRunning) {
  Start-Service -Name $serviceName
  Write-Host "Upgraded $serviceName and started it again; relay.json and the secrets in $DataDir were kept."
} elseif ($existing) {
  Write-Host "Upgraded $serviceName (not started: it was not running). relay.json and the secrets in $DataDir were kept."
} else {
  Write-Host "Installed $serviceName (runs as $account). Put relay.json, the certificate PEM and the bind password"
  Write-Host "file into $DataDir, check them with: node `"$InstallDir\relay.mjs`" --check --config `"$DataDir\relay.json`""
  Write-Host "then: Start-Service $serviceName"
}
