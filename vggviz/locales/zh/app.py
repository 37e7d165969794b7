"""The app shell: the sidebar (network, weights, device, presenter view, image picker, share box),
banners, the next-step button, and the library's messages a user reads (links, limits, weights,
images, the training queue, the analysis queue) and the shape classes' names."""

MESSAGES = {
    # images.py
    'grayscale image converted to RGB':
        '灰度图像已转换为 RGB',
    'The file {file} is empty (0 bytes); upload a {kinds} image.':
        '文件 {file} 是空的（0 字节）；请上传 {kinds} 图像。',
    'The file {file} is {size}, over the {limit} limit; resize or compress it and upload it again.':
        '文件 {file} 大小为 {size}，超过了 {limit} 的上限；请缩小或压缩后重新上传。',
    '{file} could not be reduced in size ({reason}); downscale it and try again.':
        '{file} 无法缩小（{reason}）；请自行缩小后再试。',
    'large image ({w}×{h}) reduced to {width}×{height} to fit {side} px':
        '大图像（{w}×{h}）已缩小到 {width}×{height}，以适应 {side} 像素',
    'There is no image file at {file}; check the path or upload the image instead.':
        '{file} 处没有图像文件；请检查路径，或改为上传图像。',
    'The file {file} is {size}, over the {limit} limit; resize or compress it and try again.':
        '文件 {file} 大小为 {size}，超过了 {limit} 的上限；请缩小或压缩后再试。',
    'The file {file} could not be read ({reason}); check that it exists and is readable.':
        '无法读取文件 {file}（{reason}）；请检查它是否存在且可读。',
    '{file} is not an image Pillow can read; upload a {kinds} file.':
        '{file} 不是 Pillow 能读取的图像；请上传 {kinds} 文件。',
    '{file} has a damaged image header and cannot be read; re-save it as a {kinds} file and try again.':
        '{file} 的图像头已损坏，无法读取；请另存为 {kinds} 文件后再试。',
    '{file} declares an enormous image (over {mp} megapixels, possibly a decompression bomb) and was refused before decoding; downscale it and try again.':
        '{file} 声明了一张巨大的图像（超过 {mp} 百万像素，可能是解压炸弹），在解码前已被拒绝；请缩小后再试。',
    '{file} has a damaged image header; re-save it and try again.':
        '{file} 的图像头已损坏；请重新保存后再试。',
    '{file} claims a size of {w}×{h} pixels, which is invalid; re-save it and try again.':
        '{file} 声称的尺寸为 {w}×{h} 像素，这是无效的；请重新保存后再试。',
    '{file} is {w}×{h} pixels ({mp} megapixels), over the {limit}-megapixel limit, and was refused before decoding; downscale it and try again.':
        '{file} 为 {w}×{h} 像素（{mp} 百万像素），超过了 {limit} 百万像素的上限，在解码前已被拒绝；请缩小后再试。',
    '{file} is only {w}×{h} pixels; VGG needs at least {min}×{min}: upload a larger image.':
        '{file} 只有 {w}×{h} 像素；VGG 至少需要 {min}×{min}：请上传更大的图像。',
    '{file} is a damaged or truncated {format} file (its frames cannot be read); re-save or re-export it and try again.':
        '{file} 是损坏或不完整的 {format} 文件（无法读取其中的帧）；请重新保存或重新导出后再试。',
    'multi-page TIFF: first of {n} pages used':
        '多页 TIFF：使用了 {n} 页中的第一页',
    'multi-picture JPEG (MPO): first of {n} pictures used':
        '多图 JPEG（MPO）：使用了 {n} 张图中的第一张',
    'animated {format}: first of {n} frames used':
        '动画 {format}：使用了 {n} 帧中的第一帧',
    '{file} is a damaged or truncated {format} file and cannot be decoded; re-save or re-export it and try again.':
        '{file} 是损坏或不完整的 {format} 文件，无法解码；请重新保存或重新导出后再试。',
    '{file} uses an image layout that cannot be converted to RGB (mode {mode}); re-save it as an 8-bit RGB PNG or JPEG and try again.':
        '{file} 使用了无法转换为 RGB 的图像格式（模式 {mode}）；请另存为 8 位 RGB 的 PNG 或 JPEG 后再试。',
    'rotated upright from its EXIF orientation (tag {tag})':
        '已按 EXIF 方向信息转正（标记 {tag}）',
    '1-bit black-and-white image converted to RGB':
        '1 位黑白图像已转换为 RGB',
    'palette image converted to RGB':
        '调色板图像已转换为 RGB',
    '{mode} image converted to RGB':
        '{mode} 图像已转换为 RGB',
    'transparent areas composited on white':
        '透明区域已合成到白色背景上',
    'floating-point':
        '浮点',
    '16-bit':
        '16 位',
    '32-bit integer':
        '32 位整数',
    '{kind} image rescaled to 8 bits (values {lo}..{hi} mapped to 0..255)':
        '{kind}图像已缩放到 8 位（数值 {lo}..{hi} 映射到 0..255）',
    '{kind} image with a single value ({value}) converted to 8 bits':
        '只有单一数值（{value}）的{kind}图像已转换为 8 位',
    'CMYK converted to RGB':
        'CMYK 已转换为 RGB',
    'colours converted to sRGB':
        '颜色已转换为 sRGB',
    '{what} using its colour profile ({profile})':
        '{what}，使用了它的颜色配置文件（{profile}）',
    # jobs.py
    '{title} has no trained model ({state})':
        '{title} 没有训练好的模型（{state}）',
    '{title} · {accuracy} %':
        '{title} · {accuracy} %',
    'only the mini variants train here (on 64×64 shapes), not {variant}':
        '这里只能训练 mini 变体（在 64×64 的形状上），不能训练 {variant}',
    'you already have {n} training runs queued or running, the most one student may on this shared server; wait for one to finish or cancel it':
        '你已经有 {n} 个训练任务在排队或运行，这是共享服务器上每位同学的上限；请等其中一个完成，或取消一个',
    'cancelled before it started':
        '在开始前已取消',
    'cancelled: nobody was watching it any more':
        '已取消：已经没有人在关注它',
    '{n} epochs':
        '{n} 轮',
    '{n} epoch':
        '{n} 轮',
    '{init} init':
        '{init} 初始化',
    'scale jitter':
        '尺度抖动',
    'lr {lr}':
        '学习率 {lr}',
    'seed {seed}':
        '种子 {seed}',
    '{title} · {more}':
        '{title} · {more}',
    'unknown experiment {key}; choose one of: {keys}':
        '未知的实验 {key}；请从以下选择：{keys}',
    '{experiment}: {arm}':
        '{experiment}：{arm}',
    # limits.py
    'new images':
        '张新图像',
    'heavy runs (feature visualisation, occlusion, comparisons)':
        '次重型计算（特征可视化、遮挡、比较）',
    'You have started {n} {what} in the last minute, the most one student may on this shared server; please wait {wait} s and try again.':
        '你在过去一分钟内已提交 {n} {what}，这是共享服务器上每位同学的上限；请等待 {wait} 秒后再试。',
    # links.py
    "the link's {name}={value} is empty or too long":
        '链接中的 {name}={value} 为空或过长',
    "the link's {name}={value} is not a {kind}":
        '链接中的 {name}={value} 不是有效的 {kind}',
    "the link's {name}={value} is not one of {options}":
        '链接中的 {name}={value} 不在 {options} 之中',
    "the link's {name}={value} is outside {lo} … {hi}":
        '链接中的 {name}={value} 超出了 {lo} … {hi} 的范围',
    # scheduler.py
    'the server is busy ({n} analyses waiting); try again in a minute':
        '服务器正忙（{n} 个分析在排队）；请一分钟后再试',
    'this analysis was cancelled; try again':
        '此次分析已被取消；请再试一次',
    # shapes.py
    'circle':
        '圆形',
    'square':
        '正方形',
    'triangle':
        '三角形',
    'cross':
        '十字',
    'star':
        '星形',
    'ring':
        '圆环',
    'diamond':
        '菱形',
    'crescent':
        '月牙',
    'pentagon':
        '五边形',
    'hexagon':
        '六边形',
    'hexagram':
        '六角星',
    'xmark':
        '叉号',
    # streamlit_app.py
    'vggviz — VGG taken apart':
        'vggviz：把 VGG 拆开看',
    # ui.py
    '{variant} · trained on shapes, works offline':
        '{variant} · 在形状上训练，可离线使用',
    'ImageNet (trained)':
        'ImageNet（已训练）',
    'Trained on shapes (bundled, offline)':
        '在形状上训练（随应用附带，可离线）',
    'Random (untrained, seeded)':
        '随机（未训练，固定种子）',
    "A weights file from the teacher's folder":
        '教师文件夹中的权重文件',
    'Trained here: {title}':
        '在此训练：{title}',
    'Server default: {file}':
        '服务器默认：{file}',
    'ℹ️ {reason}; the default is shown instead.':
        'ℹ️ {reason}；改为显示默认值。',
    '🔗 Share this view':
        '🔗 分享此视图',
    'Copy the link (the icon at its right), or show the QR code on the projector: it opens this page with the same network, weights, sample and settings.':
        '复制链接（点击右侧的图标），或在投影上展示二维码：它会以相同的网络、权重、示例图像和设置打开本页。',
    'Your uploaded image is not in the link: uploads stay private to you.':
        '你上传的图像不在链接中：上传内容只对你可见。',
    '⬅️ Leave presenter view (show the sidebar)':
        '⬅️ 退出演示模式（显示侧边栏）',
    'Next step: {icon} {title} →':
        '下一步：{icon} {title} →',
    '### Network':
        '### 网络',
    'VGG variant':
        'VGG 变体',
    "The paper's configurations: A = VGG11, A-LRN = VGG11 with local response normalisation, B = VGG13, C = VGG16 with 1×1 convs, D = VGG16, E = VGG19; BN = with batch normalisation. The **mini** family is the same table at teaching scale (widths ÷ 8, 64×64 input), trained on shapes: no internet needed.":
        '论文中的配置：A = VGG11，A-LRN = 带局部响应归一化的 VGG11，B = VGG13，C = 带 1×1 卷积的 VGG16，D = VGG16，E = VGG19；BN = 带批归一化。**mini** 系列是同一张配置表的教学版（宽度 ÷ 8，输入 64×64），在形状图像上训练：无需联网。',
    '🔷 Mini family: {classes} at 64×64 px. No internet? This family works everywhere.':
        '🔷 mini 系列：{classes}，64×64 像素。没有网络？这个系列在哪里都能用。',
    ', ':
        '、',
    'Weights':
        '权重',
    "ImageNet weights are downloaded once into torch's cache (TORCH_HOME). Shapes weights ship with the app (assets/models). Random weights are seeded, so the same every time.":
        'ImageNet 权重只下载一次，存入 torch 的缓存（TORCH_HOME）。形状权重随应用附带（assets/models）。随机权重使用固定种子，因此每次都相同。',
    'Weights file':
        '权重文件',
    "The .pth files the teacher put in the server's weights folder.":
        '教师放在服务器权重文件夹中的 .pth 文件。',
    'Device':
        '设备',
    'The forward pass runs on the GPU when there is one.':
        '有 GPU 时，前向传播在 GPU 上运行。',
    'Presenter view':
        '演示模式',
    'For a projector: hides this sidebar and enlarges the page. A button at the top of the page brings the sidebar back. Kept in the link.':
        '用于投影：隐藏侧边栏并放大页面。页面上的一个按钮可以让侧边栏回来。会保存在链接中。',
    '{variant} has no published ImageNet weights, so it uses random weights':
        '{variant} 没有公开的 ImageNet 权重，因此使用随机权重',
    'Downloading ImageNet weights for {variant}…':
        '正在下载 {variant} 的 ImageNet 权重……',
    'Downloading ImageNet weights for {variant}: {done} / {total} MB':
        '正在下载 {variant} 的 ImageNet 权重：{done} / {total} MB',
    'Loading {variant}…':
        '正在加载 {variant}……',
    '{reason}. Using random weights instead: predictions and maps mean nothing.':
        '{reason}。改用随机权重：预测和各种图都没有意义。',
    'Random weights (untrained, seeded) are selected: predictions, feature maps and Grad-CAM of an untrained network mean nothing. Choose ImageNet weights to see what VGG learned.':
        '当前选择的是随机权重（未训练，固定种子）：未训练网络的预测、特征图和 Grad-CAM 都没有意义。选择 ImageNet 权重，看看 VGG 学到了什么。',
    'No trained shapes checkpoint ships for {variant}: train it on the Train page. Using random weights instead: predictions and maps mean nothing.':
        '{variant} 没有附带在形状上训练好的检查点：请在“亲手训练”页面训练它。改用随机权重：预测和各种图都没有意义。',
    'Weights in use: {weights}':
        '正在使用的权重：{weights}',
    '**random (untrained)**':
        '**随机（未训练）**',
    'Random weights (untrained): predictions, feature maps and Grad-CAM mean nothing.':
        '随机权重（未训练）：预测、特征图和 Grad-CAM 都没有意义。',
    '### Image':
        '### 图像',
    'Sample image':
        '示例图像',
    'Public-domain / CC0 photos bundled with the app (assets/samples).':
        '随应用附带的公有领域 / CC0 照片（assets/samples）。',
    '…or upload your own':
        '……或上传你自己的图像',
    '…or take a photo':
        '……或拍一张照片',
    'Camera':
        '相机',
    'camera photo':
        '相机照片',
    '{w}×{h} px · {format}':
        '{w}×{h} 像素 · {format}',
    'Astronaut':
        '宇航员',
    'Cat':
        '猫',
    'Coffee':
        '咖啡',
    'Rocket':
        '火箭',
    'Shapes canvas':
        '形状：画布',
    'Shapes cross':
        '形状：十字',
    'Shapes ring':
        '形状：圆环',
    'Shapes star':
        '形状：星形',
    'Shapes triangle':
        '形状：三角形',
    '⏳ Waiting for the network: {n} students ahead of you (first come, first served).':
        '⏳ 正在等待网络：你前面还有 {n} 位同学（先到先得）。',
    "⏳ Your classmates' first results go first: {n} still waiting for theirs.":
        '⏳ 同学们的第一个结果优先：还有 {n} 位在等待。',
    '⏳ Waiting for the network: 1 student ahead of you (first come, first served).':
        '⏳ 正在等待网络：你前面还有 1 位同学（先到先得）。',
    '⏳ Your image is next.':
        '⏳ 下一个就是你的图像。',
    'Running the image through {variant} on {device}…':
        '正在 {device} 上让图像通过 {variant}……',
    'The forward pass failed: {reason}':
        '前向传播失败：{reason}',
    '⬅️ Pick a sample image, upload a photo or take one with the camera in the sidebar.':
        '⬅️ 在侧边栏选择一张示例图像、上传一张照片，或用相机拍一张。',
    # variants.py
    'unknown variant {name}; choose one of: {variants}, or the reference models {references}':
        '未知的变体 {name}；请从以下选择：{variants}，或参照模型 {references}',
    'unknown variant {name}; choose one of: {variants}, or the reference model {references}':
        '未知的变体 {name}；请从以下选择：{variants}，或参照模型 {references}',
    'unknown variant {name}; choose one of: {variants}':
        '未知的变体 {name}；请从以下选择：{variants}',
    # weights.py
    'no weights folder is set on this server ({env}); ask the teacher':
        '这台服务器没有设置权重文件夹（{env}）；请询问教师',
    '{file} is not one of the weights files on this server; choose one from the list':
        '{file} 不是这台服务器上的权重文件；请从列表中选择',
    "device 'cuda' was asked for but no CUDA GPU is available; use --device cpu or auto":
        "要求使用设备 'cuda'，但没有可用的 CUDA GPU；请使用 --device cpu 或 auto",
    'unknown device {device}; use auto, cpu or cuda':
        '未知的设备 {device}；请使用 auto、cpu 或 cuda',
    'downloaded {file} is corrupt (hash mismatch); try again':
        '下载的 {file} 已损坏（哈希不匹配）；请重试',
    "{variant} has no ImageNet weights: the mini family's shapes weights ship with the app (use --weights shapes)":
        '{variant} 没有 ImageNet 权重：mini 系列的形状权重随应用附带（使用 --weights shapes）',
    '{variant} has no published ImageNet weights (torchvision ships none); use random':
        '{variant} 没有公开的 ImageNet 权重（torchvision 没有提供）；请使用 random',
    "could not download ImageNet weights for {variant} ({reason}: offline?); on a machine with internet run `python -m vggviz weights fetch {variant}` (it prints where the file went) and copy it into the server's torch cache":
        '无法下载 {variant} 的 ImageNet 权重（{reason}：离线？）；请在能联网的机器上运行 `python -m vggviz weights fetch {variant}`（它会打印文件保存的位置），再把文件复制到服务器的 torch 缓存中',
    'weights file {file} not found':
        '找不到权重文件 {file}',
    '{file} is not a plain state dict: it holds Python objects that could run code, so it was refused (save model.state_dict() instead)':
        '{file} 不是单纯的 state dict：它包含可能执行代码的 Python 对象，因此被拒绝（请改为保存 model.state_dict()）',
    '{file} is not a PyTorch weights file ({reason})':
        '{file} 不是 PyTorch 权重文件（{reason}）',
    '{file}: "classes" must be a list of class names (strings)':
        '{file}：“classes” 必须是类别名称（字符串）的列表',
    '{file} is not a state dict (a dict of tensor names to tensors)':
        '{file} 不是 state dict（从张量名称到张量的字典）',
    '{file} is larger than {mb} MB; it should hold one class name per line':
        '{file} 大于 {mb} MB；它应当每行包含一个类别名称',
    '{file} is not a UTF-8 text file of class names ({reason})':
        '{file} 不是包含类别名称的 UTF-8 文本文件（{reason}）',
    '{file} has an empty line ({line}); write one class name per line':
        '{file} 有空行（第 {line} 行）；请每行写一个类别名称',
    '{what} has {names} class names but its last layer (fc8, classifier.6) has {n} outputs; give one name per output':
        '{what} 有 {names} 个类别名称，但它的最后一层（fc8，classifier.6）有 {n} 个输出；请为每个输出给出一个名称',
    '{what}: its last layer (fc8, classifier.6) has no outputs':
        '{what}：它的最后一层（fc8，classifier.6）没有输出',
    'missing {tensor}':
        '缺少 {tensor}',
    'unexpected {tensor}':
        '多出 {tensor}',
    '{what} does not fit {variant}: {missing} missing and {unexpected} unexpected tensors ({detail}); pick the variant it was saved from':
        '{what} 与 {variant} 不匹配：缺少 {missing} 个张量，多出 {unexpected} 个张量（{detail}）；请选择保存它时所用的变体',
    '{what} does not fit {variant}: {tensor} has shape {shape}, expected {expected}':
        '{what} 与 {variant} 不匹配：{tensor} 的形状是 {shape}，应为 {expected}',
    'the shapes weights exist only for the mini variants (vgg11_mini, vgg13_mini, vgg16_mini, vgg19_mini, …), not {variant}; use imagenet or random':
        '形状权重只适用于 mini 变体（vgg11_mini、vgg13_mini、vgg16_mini、vgg19_mini……），不适用于 {variant}；请使用 imagenet 或 random',
    'bundled {file}':
        '附带的 {file}',
    'no trained shapes checkpoint ships for {label}; train it on the Train page (or `python -m vggviz train {variant}`). Using random weights instead: predictions and maps mean nothing.':
        '{label} 没有附带在形状上训练好的检查点；请在“亲手训练”页面训练它（或运行 `python -m vggviz train {variant}`）。改用随机权重：预测和各种图都没有意义。',
    'the trained model {source} is no longer in memory (only the last {n} are kept); train it again':
        '训练好的模型 {source} 已不在内存中（只保留最近的 {n} 个）；请重新训练',
    '{source} is a {kept}, not a {variant}; pick {kept}':
        '{source} 是 {kept}，不是 {variant}；请选择 {kept}',
    '{variant} has no ImageNet weights (the mini family is trained on shapes); use shapes or random':
        '{variant} 没有 ImageNet 权重（mini 系列是在形状上训练的）；请使用 shapes 或 random',
    'cached {file}':
        '缓存的 {file}',
    "A-LRN's LRN: n = {n} channels, α = {a}, β = {b}, k = {k} (AlexNet's values), in PyTorch's convention b = a / (k + α/n · Σ a²)^β, which divides α by the window size as Caffe does; AlexNet's paper writes α · Σ a², so the same α here is α/n = {a_n} in AlexNet's formula. We follow Caffe because the VGG authors built on Caffe (the paper, Sect. 3.3); AlexNet's formula literally would be α = {a_n_times} here.":
        'A-LRN 的 LRN：n = {n} 个通道，α = {a}，β = {b}，k = {k}（AlexNet 的取值），采用 PyTorch 的约定 b = a / (k + α/n · Σ a²)^β，即像 Caffe 一样把 α 除以窗口大小；AlexNet 的论文写作 α · Σ a²，所以这里同样的 α 在 AlexNet 的公式中是 α/n = {a_n}。我们遵循 Caffe，因为 VGG 的作者是在 Caffe 上构建的（论文第 3.3 节）；如果照搬 AlexNet 的公式，这里应为 α = {a_n_times}。',
}
