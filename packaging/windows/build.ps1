# Build the Windows one-folder app and its installer (run on Windows; the release workflow
# does so on windows-latest):
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-Python PATH]
#   -> dist\modelhub-desktop\modelhub-desktop.exe
#      dist\ModelHub-Desktop-<ver>-windows-x64-setup.exe
#
# Python: -Python, else .venv\Scripts\python.exe, else python on PATH (PyInstaller is
# installed into it when missing). Needs Inno Setup 6 (ISCC.exe): found on PATH or in its
# default folders, else installed with Chocolatey when that is available
# (by hand: winget install JRSoftware.InnoSetup).
param([string]$Python = "")
$ErrorActionPreference = "Stop"
Set-Location (Resolve-Path (Join-Path $PSScriptRoot "..\.."))

function Invoke-Checked {
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

if (-not $Python) {
    $Python = if (Test-Path ".venv\Scripts\python.exe") { ".venv\Scripts\python.exe" } else { "python" }
}
$ErrorActionPreference = "Continue"  # Windows PowerShell turns a native stderr line into an error
& $Python -c "import PyInstaller" 2>$null
$hasPyInstaller = ($LASTEXITCODE -eq 0)
$ErrorActionPreference = "Stop"
if (-not $hasPyInstaller) { Invoke-Checked $Python @("-m", "pip", "install", "-q", "-e", ".[package]") }

$version = (& $Python packaging\appinfo.py VERSION).Trim()
$appName = (& $Python packaging\appinfo.py APP_NAME).Trim()
Write-Host "[build] PyInstaller one-folder app, version $version"
Invoke-Checked $Python @("-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
    "--distpath", "dist", "--workpath", "build\pyinstaller", "packaging\modelhub-desktop.spec")
if (-not (Test-Path "dist\modelhub-desktop\modelhub-desktop.exe")) { throw "no dist\modelhub-desktop\modelhub-desktop.exe" }

function Find-Iscc {
    $cmd = Get-Command iscc.exe -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd.Source }
    foreach ($dir in @("${env:ProgramFiles(x86)}\Inno Setup 6", "$env:ProgramFiles\Inno Setup 6",
                       "$env:LOCALAPPDATA\Programs\Inno Setup 6")) {
        if ($dir -and (Test-Path "$dir\ISCC.exe")) { return "$dir\ISCC.exe" }
    }
    return $null
}
$iscc = Find-Iscc
if (-not $iscc -and (Get-Command choco -ErrorAction SilentlyContinue)) {
    Write-Host "[build] installing Inno Setup with Chocolatey"
    Invoke-Checked "choco" @("install", "innosetup", "-y", "--no-progress")
    $iscc = Find-Iscc
}
if (-not $iscc) { throw "Inno Setup 6 not found: install it (winget install JRSoftware.InnoSetup)" }

Write-Host "[build] installer with $iscc"
Invoke-Checked $iscc @("/Q", "/DAppVersion=$version", "/DAppName=$appName", "packaging\windows\modelhub-desktop.iss")
$setup = "dist\ModelHub-Desktop-$version-windows-x64-setup.exe"
if (-not (Test-Path $setup)) { throw "no $setup" }
$bundleMB = [math]::Round(((Get-ChildItem -Recurse -File "dist\modelhub-desktop" | Measure-Object Length -Sum).Sum / 1MB), 1)
$setupMB = [math]::Round(((Get-Item $setup).Length / 1MB), 1)
Write-Host "[build] bundle $bundleMB MB, installer $setupMB MB: $setup"
