// One segment open: the builder with its live member count and the first page of members, saved under
// a name (new, or changes to a saved one), deleted after a confirmation, and exported as CSV. A
// ready-made segment is read-only: its definition, size and members, exported or copied into a new one.
import { useMemo, useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd'
import {
  CopyOutlined,
  DeleteOutlined,
  NotificationOutlined,
  ReloadOutlined,
  SaveOutlined,
} from '@ant-design/icons'
import {
  apiRequest,
  asApiError,
  fieldErrors,
  type Answer,
  type Body,
  type FieldProblem,
  type Loaded,
} from '../../api'
import { formatCount, formatDateTime } from '../../format'
import { may } from '../../session'
import { useNavigate } from 'react-router'
import { ConditionBuilder, type Taxonomy } from './condition-builder'
import { MemberPreview, PREVIEW_SIZE, type MembersPage } from './member-preview'
import { downloadExport, useDebounced, usePosted } from './segment-api'
import { ExportButtons } from './export-buttons'
import {
  compile,
  describeFilter,
  fromFilter,
  matchNames,
  problemsByCondition,
  type Compiled,
  type ConditionProblem,
  type Draft,
  type Lookups,
  type ReadyMadeSegment,
  type SavedSegment,
  type SegmentFilter,
} from './segment-conditions'

type Count = Answer<'/segments/count', 'post'>

/** How long the builder waits after the last change before it counts again. */
const DEBOUNCE_MS = 400

const useCount = (filter: SegmentFilter) =>
  usePosted<Count>('/segments/count', JSON.stringify({ filter } satisfies Body<'/segments/count', 'post'>))

const usePreview = (filter: SegmentFilter) =>
  usePosted<MembersPage>(
    '/segments/members',
    JSON.stringify({ filter, limit: PREVIEW_SIZE } satisfies Body<'/segments/members', 'post'>),
  )

function mergeProblems(...maps: Map<string, ConditionProblem[]>[]) {
  const out = new Map<string, ConditionProblem[]>()
  for (const m of maps) for (const [k, v] of m) out.set(k, [...(out.get(k) ?? []), ...v])
  return out
}

export function SegmentEditor({
  segment,
  template,
  taxonomy,
  wide,
  onSaved,
  onDeleted,
}: {
  /** The saved segment being edited, or null for a new one. */
  segment: SavedSegment | null
  /** A new segment's starting conditions (copied from a ready-made one). */
  template?: ReadyMadeSegment
  taxonomy: Taxonomy
  wide: boolean
  onSaved: (s: SavedSegment) => void
  onDeleted: () => void
}) {
  const { message, modal } = App.useApp()
  const navigate = useNavigate()
  const [baseline, setBaseline] = useState(segment)
  const [draft, setDraft] = useState<Draft>(() => fromFilter(segment?.filter ?? template?.filter))
  const [saveProblems, setSaveProblems] = useState<{
    paths: Compiled['paths']
    fields: FieldProblem[]
  } | null>(null)
  const [saving, setSaving] = useState(false)
  const compiled = useMemo(() => compile(draft), [draft])
  const settled = useDebounced(compiled, DEBOUNCE_MS)
  const count = useCount(settled.filter)
  const preview = usePreview(settled.filter)
  const stored = useMemo(() => (baseline ? compile(fromFilter(baseline.filter)).json : null), [baseline])
  const dirty = baseline !== null && stored !== compiled.json
  const pending = settled.json !== compiled.json || count.loading
  const countProblems =
    count.error && count.error.fields.length
      ? problemsByCondition(count.error.fields, settled.paths)
      : new Map()
  const problems = mergeProblems(
    countProblems,
    saveProblems ? problemsByCondition(saveProblems.fields, saveProblems.paths) : new Map(),
  )
  const members = count.data?.members ?? (pending ? count.previous?.members : undefined)

  const change = (next: Draft) => {
    setDraft(next)
    setSaveProblems(null)
  }

  const download = (format: 'csv' | 'xlsx') =>
    baseline && !dirty
      ? downloadExport(`/segments/${baseline.id}/export`, format)
      : downloadExport('/segments/export', format, {
          filter: compiled.filter,
          name: baseline?.name ?? template?.name ?? '会员分群',
        } satisfies Body<'/segments/export', 'post'>)

  const remove = () =>
    baseline &&
    modal.confirm({
      title: `删除分群“${baseline.name}”？`,
      content: '删除后不能恢复。',
      okText: '删除',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        try {
          await apiRequest(`/segments/${baseline.id}`, { method: 'DELETE' })
          void message.success(`已删除分群“${baseline.name}”`)
          onDeleted()
        } catch (err) {
          void message.error(asApiError(err, '删除失败，请稍后重试').message)
        }
      },
    })

  const title = baseline ? baseline.name : template ? `新建分群（以“${template.name}”为模板）` : '新建分群'
  return (
    <Card
      size={wide ? 'default' : 'small'}
      title={
        <Space wrap size={4} style={{ whiteSpace: 'normal' }}>
          <span data-testid="segment-title">{title}</span>
          {dirty && <Tag color="orange">有未保存的修改</Tag>}
        </Space>
      }
      data-testid="segment-editor"
    >
      {baseline?.description && (
        <Typography.Paragraph type="secondary">{baseline.description}</Typography.Paragraph>
      )}
      <Space wrap style={{ marginBottom: 16 }}>
        <Button type="primary" icon={<SaveOutlined />} onClick={() => setSaving(true)}>
          {baseline ? '保存修改' : '保存分群'}
        </Button>
        <ExportButtons download={download} />
        {baseline && may('campaigns.manage') && (
          <Button
            icon={<NotificationOutlined />}
            disabled={dirty}
            title={dirty ? '请先保存修改' : undefined}
            onClick={() => void navigate(`/campaigns/new?audience=saved:${baseline.id}`)}
          >
            用于活动
          </Button>
        )}
        {baseline && (
          <Button danger icon={<DeleteOutlined />} onClick={remove}>
            删除
          </Button>
        )}
      </Space>
      <CountBox count={count} members={members} pending={pending} incomplete={compiled.incomplete} />
      <ConditionBuilder draft={draft} onChange={change} problems={problems} taxonomy={taxonomy} />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        会员预览
      </Typography.Title>
      <MemberPreview page={preview} wide={wide} total={count.data?.members ?? null} />
      {baseline && (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8, fontSize: 12 }}>
          {`创建于 ${formatDateTime(baseline.createdAt)} · 最近修改 ${formatDateTime(baseline.updatedAt)}`}
        </Typography.Text>
      )}
      {saving && (
        <SaveSegment
          segment={baseline}
          compiled={compiled}
          suggestedName={template ? `${template.name}（副本）` : ''}
          onClose={() => setSaving(false)}
          onFilterProblems={(fields) => setSaveProblems({ paths: compiled.paths, fields })}
          onSaved={(s) => {
            setSaving(false)
            setBaseline(s)
            onSaved(s)
          }}
        />
      )}
    </Card>
  )
}

function CountBox({
  count,
  members,
  pending,
  incomplete,
}: {
  count: Loaded<Count>
  members: number | undefined
  pending: boolean
  incomplete: number
}) {
  const refused = count.error && count.error.fields.length > 0
  return (
    <div
      style={{ background: '#fff7ed', borderRadius: 8, padding: '12px 16px', marginBottom: 16 }}
      data-testid="segment-count"
      data-state={pending ? 'pending' : count.error ? 'error' : 'ready'}
      data-count={!pending && count.data ? count.data.members : undefined}
    >
      <Space wrap align="baseline" size={8}>
        <span>符合条件的会员</span>
        <Typography.Text strong style={{ fontSize: 28, color: '#c2410c' }} data-testid="segment-count-value">
          {members === undefined ? '—' : formatCount(members)}
        </Typography.Text>
        <span>人</span>
        {pending && <Spin size="small" />}
      </Space>
      {incomplete > 0 && (
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
          {`有 ${incomplete} 个条件未填写完整，暂不计入。`}
        </Typography.Text>
      )}
      {count.error && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 8 }}
          title={refused ? '条件有误，请按提示修改' : count.error.message}
          action={
            refused ? undefined : (
              <Button size="small" icon={<ReloadOutlined />} onClick={count.reload}>
                重试
              </Button>
            )
          }
        />
      )}
    </div>
  )
}

interface SaveFields {
  name: string
  description?: string
}

function SaveSegment({
  segment,
  compiled,
  suggestedName,
  onClose,
  onSaved,
  onFilterProblems,
}: {
  segment: SavedSegment | null
  compiled: Compiled
  suggestedName: string
  onClose: () => void
  onSaved: (s: SavedSegment) => void
  onFilterProblems: (fields: FieldProblem[]) => void
}) {
  const [form] = Form.useForm<SaveFields>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const save = async (v: SaveFields) => {
    setBusy(true)
    setError(null)
    try {
      const body: Body<'/segments', 'post'> = {
        name: v.name ?? '',
        ...(v.description?.trim() ? { description: v.description } : {}),
        filter: compiled.filter,
      }
      const saved = segment
        ? await apiRequest<SavedSegment>(`/segments/${segment.id}`, {
            method: 'PUT',
            body: body satisfies Body<'/segments/{id}', 'put'>,
          })
        : await apiRequest<SavedSegment>('/segments', { method: 'POST', body })
      onSaved(saved)
    } catch (err) {
      const apiError = asApiError(err, '保存失败，请稍后重试')
      const onFields = fieldErrors(apiError, ['name', 'description'] as const)
      if (onFields.length) form.setFields(onFields)
      const aboutFilter = apiError.fields.filter((f) => /^(body\.)?filter/.test(f.path))
      if (aboutFilter.length) {
        onFilterProblems(aboutFilter)
        setError('分群条件有误，请关闭后按条件上的提示修改')
      } else if (!onFields.length) setError(apiError.message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal
      open
      title={segment ? `保存对“${segment.name}”的修改` : '保存分群'}
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {compiled.incomplete > 0 && (
        <Alert
          type="warning"
          showIcon
          title={`有 ${compiled.incomplete} 个条件未填写完整，不会被保存`}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<SaveFields>
        form={form}
        layout="vertical"
        onFinish={save}
        requiredMark={false}
        initialValues={{ name: segment?.name ?? suggestedName, description: segment?.description ?? '' }}
      >
        <Form.Item label="分群名称" name="name" rules={[{ required: true, message: '请填写名称' }]}>
          <Input maxLength={50} placeholder="如 上海复购客户" />
        </Form.Item>
        <Form.Item label="说明" name="description">
          <Input.TextArea maxLength={200} rows={2} placeholder="选填，如 用于 6 月会员日召回" />
        </Form.Item>
      </Form>
    </Modal>
  )
}

/** A ready-made segment: what it selects, how many, who; exported, or copied into a new segment. */
export function ReadyMadeView({
  segment,
  lookups,
  wide,
  onCopy,
}: {
  segment: ReadyMadeSegment
  lookups: Lookups
  wide: boolean
  onCopy: () => void
}) {
  const navigate = useNavigate()
  const preview = usePreview(segment.filter)
  const definition = describeFilter(segment.filter, lookups)
  return (
    <Card
      size={wide ? 'default' : 'small'}
      title={
        <Space wrap size={4}>
          <span data-testid="segment-title">{segment.name}</span>
          <Tag color="blue">常用分群</Tag>
        </Space>
      }
      data-testid="segment-editor"
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <ExportButtons
          download={(format) =>
            downloadExport(`/segments/ready-made/${encodeURIComponent(segment.code)}/export`, format)
          }
        />
        <Button icon={<CopyOutlined />} onClick={onCopy}>
          复制为新分群
        </Button>
        {may('campaigns.manage') && (
          <Button
            icon={<NotificationOutlined />}
            onClick={() => void navigate(`/campaigns/new?audience=ready:${encodeURIComponent(segment.code)}`)}
          >
            用于活动
          </Button>
        )}
      </Space>
      <Descriptions
        size="small"
        column={1}
        bordered={wide}
        items={[
          { key: 'size', label: '人数', children: `${formatCount(segment.members)} 人` },
          { key: 'about', label: '说明', children: segment.description },
          {
            key: 'definition',
            label: '条件',
            children: (
              <div data-testid="segment-definition">
                {definition.lines.length > 1 && <div>{`满足${matchNames[definition.match]}：`}</div>}
                {definition.lines.map((line, i) => (
                  <div key={i}>{line}</div>
                ))}
              </div>
            ),
          },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        会员预览
      </Typography.Title>
      <MemberPreview page={preview} wide={wide} total={segment.members} />
    </Card>
  )
}
