<#
.SYNOPSIS
  Installs the group writeback relay as a Windows service (docs/deployment.md, "Relay on Windows Server").

.DESCRIPTION
  Expects the relay build in $InstallDir (dist\relay\main.js, node_modules), Node.js 22 in %ProgramFiles%\nodejs,
  and WinSW (x64, downloaded by you from https://github.com/winsw/winsw/releases and checked against its published
  hash) at $WinSWPath. The script
    1. puts WinSW next to group-writeback-relay.xml as group-writeback-relay.exe and registers the service,
    2. runs it as the virtual account NT SERVICE\group-writeback-relay (no password, no interactive logon),
    3. limits %ProgramData%\GroupWriteback (config, certificate, bind password, logs) to SYSTEM, Administrators
       and that account.
  It does not start the service: check relay.json first, then Start-Service group-writeback-relay.
  Run in an elevated PowerShell 7 (or Windows PowerShell 5.1).
#>
[CmdletBinding()]
param(
  [string]$InstallDir = (Join-Path $env:ProgramFiles 'GroupWriteback'),
  [string]$DataDir = (Join-Path $env:ProgramData 'GroupWriteback'),
  [Parameter(Mandatory = $true)][string]$WinSWPath
)
$ErrorActionPreference = 'Stop'
$serviceName = 'group-writeback-relay'
$account = "NT SERVICE\$serviceName"

if (-not ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole(
    [Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw 'Run this script in an elevated PowerShell.'
}
if (-not (Test-Path (Join-Path $InstallDir 'dist\relay\main.js'))) {
  throw "The relay build is missing: $InstallDir\dist\relay\main.js"
}
if (-not (Test-Path (Join-Path $env:ProgramFiles 'nodejs\node.exe'))) {
  throw 'Node.js 22 is not installed in %ProgramFiles%\nodejs.'
}

$serviceDir = Join-Path $InstallDir 'service'
New-Item -ItemType Directory -Force -Path $serviceDir, $DataDir, (Join-Path $DataDir 'logs') | Out-Null
Copy-Item -Force $WinSWPath (Join-Path $serviceDir "$serviceName.exe")
Copy-Item -Force (Join-Path $PSScriptRoot "$serviceName.xml") (Join-Path $serviceDir "$serviceName.xml")

$wrapper = Join-Path $serviceDir "$serviceName.exe"
if (-not (Get-Service -Name $serviceName -ErrorAction SilentlyContinue)) {
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

Write-Host "Installed $serviceName (runs as $account). Put relay.json, the certificate PEM and the bind password"
Write-Host "file into $DataDir, then: Start-Service $serviceName"
