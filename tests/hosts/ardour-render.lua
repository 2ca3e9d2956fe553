-- Renders Distill (VST3) in a headless Ardour 7 session and exports a WAV at the session rate.
--   ardour7-lua ardour-render.lua VST3_DIR SESSION_DIR EXPORT_DIR RATE SECONDS CLASS_ID PARAM FIRST SECOND
-- VST3_DIR holds Distill.vst3 (already scanned into $XDG_CACHE_HOME: ardour-lua only reads the cache);
-- SESSION_DIR must not exist. One MIDI track carries the plugin; a held note C4 plays for SECONDS; the
-- plugin's control input PARAM is automated to FIRST (fraction of its range) for the first half and SECOND
-- for the second half. Prints "DISTILL-EXPORTED <wav>" on success. Ardour 7.3 quirks (each observed):
-- strict I/O aborts some runs; Lua cannot create a MIDI region, so one is recorded from a feeder track and
-- its notes are then rewritten exactly; teardown sometimes crashes, so the script ends with os.exit(0).
io.stdout:setvbuf ("no")
local vst3_dir, session_dir, export_dir = arg[1], arg[2], arg[3]
local rate, seconds, class_id = tonumber (arg[4]), tonumber (arg[5]), arg[6]
local param, first, second = tonumber (arg[7]), tonumber (arg[8]), tonumber (arg[9])

local function fail (message) print ("DISTILL-FAILED " .. message); os.exit (1) end

AudioEngine:set_backend ("None (Dummy)", "", "")
ARDOUR.config ():set_plugin_path_vst3 (vst3_dir)
local s = create_session (session_dir, "distill", rate)
if not s then fail ("create_session") end

local instrument = ARDOUR.LuaAPI.new_plugin_info (class_id, ARDOUR.PluginType.VST3)
if instrument:isnil () then fail ("plugin " .. class_id .. " not in the scan cache") end
local midi1 = ARDOUR.ChanCount (ARDOUR.DataType ("midi"), 1)
local function new_track (name, output, plugin)
  local list = s:new_midi_track (midi1, output, false, plugin, nil, nil, 1, name,
                                 ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true)
  for t in list:iter () do return t end
  fail ("new_midi_track " .. name)
end
local track = new_track ("Distill", ARDOUR.ChanCount (ARDOUR.DataType ("audio"), 2), instrument)
local feeder = new_track ("Feeder", midi1, ARDOUR.PluginInfo ())
local proc = track:nth_plugin (0)
if proc:isnil () then fail ("no plugin on the track") end
print ("plugin", proc:display_name ())

-- The feeder's output is the instrument track's only input.
track:input ():disconnect_all (nil)
feeder:output ():disconnect_all (nil)
if not feeder:output ():nth (0):connect (track:input ():nth (0):name ()) then fail ("connect feeder") end
feeder:monitoring_control ():set_value (ARDOUR.MonitorChoice.MonitorInput, PBD.GroupControlDisposition.NoGroup)

local parser = ARDOUR.RawMidiParser ()
local function send (bytes)
  for _, b in ipairs (bytes) do
    if parser:process_byte (b) then
      feeder:write_immediate_event (Evoral.EventType.MIDI_EVENT, parser:buffer_size (), parser:midi_buffer ())
    end
  end
end

-- Record a rough region: arm, roll, note on, wait, note off, stop.
track:rec_enable_control ():set_value (1, PBD.GroupControlDisposition.NoGroup)
s:maybe_enable_record (false)
s:request_roll (ARDOUR.TransportRequestSource.TRS_UI)
ARDOUR.LuaAPI.usleep (300000)
send ({ 0x90, 60, 100 })
ARDOUR.LuaAPI.usleep (math.floor (seconds * 1e6))
send ({ 0x80, 60, 0 })
ARDOUR.LuaAPI.usleep (300000)
s:request_stop (false, false, ARDOUR.TransportRequestSource.TRS_UI)
ARDOUR.LuaAPI.usleep (500000)
track:rec_enable_control ():set_value (0, PBD.GroupControlDisposition.NoGroup)
s:disable_record (false, false)

local region
for r in track:playlist ():region_list ():iter () do region = r:to_midiregion () end
if region == nil or region:isnil () then fail ("nothing recorded") end
print ("recorded region", region:position ():samples (), region:length ():samples ())

-- Rewrite the notes exactly: one C4 from the region start for SECONDS.
local tm = Temporal.TempoMap.read ()
local model = region:midi_source (0):model ()
local diff = model:new_note_diff_command ("exact notes")
for note in ARDOUR.LuaAPI.note_list (model):iter () do diff:remove (note) end
local start = region:position ():samples ()
local length = tm:quarters_at_sample (start + math.floor (seconds * rate)) - tm:quarters_at_sample (start)
diff:add (ARDOUR.LuaAPI.new_noteptr (0, Temporal.Beats (0, 0), length, 60, 100))
model:apply_command (s, diff)

-- Automation of the chosen control input: FIRST until the middle, SECOND after it.
local al, cl, pd = ARDOUR.LuaAPI.plugin_automation (proc, param)
if al:isnil () then fail ("no automation list for control " .. param) end
local function value (fraction) return pd.lower + fraction * (pd.upper - pd.lower) end
local middle = start + math.floor (seconds * rate / 2)
cl:clear_list ()
cl:add (Temporal.timepos_t (0), value (first), false, false)
cl:add (Temporal.timepos_t (middle - math.floor (rate / 100)), value (first), false, false)
cl:add (Temporal.timepos_t (middle), value (second), false, false)
cl:add (Temporal.timepos_t (start + math.floor ((seconds + 1) * rate)), value (second), false, false)
local control = proc:to_automatable ():automation_control (Evoral.Parameter (ARDOUR.AutomationType.PluginAutomation, 0, param), false)
if control:isnil () then fail ("no automation control " .. param) end
control:set_automation_state (ARDOUR.AutoState.Play)
print ("automation", param, pd.lower, pd.upper, "middle", middle)

local export = s:simple_export ()
export:set_range (start, start + math.floor (seconds * rate))
export:set_name ("distill")
export:set_folder (export_dir)
if not export:set_preset ("75969a1c-3133-4694-864b-a1fa50e43348") then fail ("export preset") end
if not export:run_export () then fail ("export") end
print ("DISTILL-EXPORTED", export_dir, "start", start, "middle", middle)
os.exit (0)
